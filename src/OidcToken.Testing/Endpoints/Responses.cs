using System.Text;
using WireMock;
using WireMock.ResponseBuilders;
using WireMock.Types;
using WireMock.Util;

namespace OidcToken.Testing;

/// <summary>Builds WireMock.Net response messages.</summary>
internal static class Responses
{
    public const string Json = "application/json; charset=utf-8";

    private static readonly UTF8Encoding Utf8NoBom = new(encoderShouldEmitUTF8Identifier: false);

    public static ResponseMessage Text(int statusCode, string? body, string contentType, FaultType fault = FaultType.NONE)
    {
        var message = new ResponseMessage { StatusCode = statusCode, FaultType = fault };
        if (body is not null)
        {
            message.AddHeader("Content-Type", contentType);
            message.BodyData = new BodyData
            {
                BodyAsString = body,
                DetectedBodyType = BodyType.String,
                Encoding = Utf8NoBom,
            };
        }

        return message;
    }

    public static ResponseMessage Bytes(int statusCode, byte[] body, string contentType)
    {
        var message = new ResponseMessage { StatusCode = statusCode };
        message.AddHeader("Content-Type", contentType);
        message.BodyData = new BodyData
        {
            BodyAsBytes = body,
            DetectedBodyType = BodyType.Bytes,
        };
        return message;
    }

    public static ResponseMessage Empty(int statusCode) => new() { StatusCode = statusCode };
}
