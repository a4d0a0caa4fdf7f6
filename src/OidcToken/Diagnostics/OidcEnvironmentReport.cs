using System.Globalization;
using System.Text;
using System.Text.Json;

namespace OidcToken;

/// <summary>
/// What <see cref="GitHubOidc.Diagnose()"/> found: whether an ID token can be requested here and, if not,
/// why and how to fix it. Contains no secret: the request token is reported only as present or absent.
/// </summary>
public sealed class OidcEnvironmentReport
{
    internal OidcEnvironmentReport()
    {
    }

    /// <summary>True when both runner variables are present and usable.</summary>
    public bool CanRequestToken => ErrorCode is null;

    /// <summary>The problem found, or null when a token can be requested.</summary>
    public OidcTokenErrorCode? ErrorCode { get; internal init; }

    /// <summary>The full explanation: what is wrong, the likely cause here, and the fix (or a readiness note).</summary>
    public string Message { get; internal init; } = string.Empty;

    /// <summary>The troubleshooting link for <see cref="ErrorCode"/>, or null when there is no problem.</summary>
    public string? HelpLink => ErrorCode is { } code ? OidcTokenException.GetHelpLink(code) : null;

    /// <summary>True when <c>GITHUB_ACTIONS</c> is <c>true</c>.</summary>
    public bool IsGitHubActions { get; internal init; }

    /// <summary>True when <c>ACTIONS_ID_TOKEN_REQUEST_URL</c> is set.</summary>
    public bool RequestUrlPresent { get; internal init; }

    /// <summary>True when <c>ACTIONS_ID_TOKEN_REQUEST_TOKEN</c> is set (its value is never reported).</summary>
    public bool RequestTokenPresent { get; internal init; }

    /// <summary>The host of the token endpoint, when the request URL is usable.</summary>
    public string? RequestHost { get; internal init; }

    /// <summary><c>GITHUB_SERVER_URL</c>, when set.</summary>
    public string? ServerUrl { get; internal init; }

    /// <summary>The issuer tokens from this server carry (github.com, GHE.com or GitHub Enterprise Server), when it can be derived.</summary>
    public string? ExpectedIssuer { get; internal init; }

    /// <summary><c>GITHUB_EVENT_NAME</c>, when set.</summary>
    public string? EventName { get; internal init; }

    /// <summary><c>GITHUB_REPOSITORY</c>, when set.</summary>
    public string? Repository { get; internal init; }

    /// <summary><c>GITHUB_ACTOR</c>, when set.</summary>
    public string? Actor { get; internal init; }

    /// <summary><c>RUNNER_ENVIRONMENT</c> (<c>github-hosted</c> or <c>self-hosted</c>), when set.</summary>
    public string? RunnerEnvironment { get; internal init; }

    /// <summary>The container marker found (for example <c>/.dockerenv</c>), or null outside a container.</summary>
    public string? ContainerMarker { get; internal init; }

    /// <summary>True when running under <c>act</c>.</summary>
    public bool IsAct { get; internal init; }

    /// <summary>Further observations (for example an unreadable event file, or the issuer of a GitHub Enterprise Server).</summary>
    public IReadOnlyList<string> Notes { get; internal init; } = [];

    /// <summary>Renders the report as indented text for people.</summary>
    /// <returns>The report.</returns>
    public override string ToString()
    {
        var text = new StringBuilder();
        text.AppendLine(CanRequestToken ? "OIDC token: available" : "OIDC token: NOT available (" + ErrorCode + ")");
        text.AppendLine();
        text.AppendLine(Message);
        if (HelpLink is { } link)
        {
            text.AppendLine("More: " + link);
        }

        text.AppendLine();
        Line(text, "GITHUB_ACTIONS", IsGitHubActions ? "true" : "not set");
        Line(text, "ACTIONS_ID_TOKEN_REQUEST_URL", RequestUrlPresent ? "set" + (RequestHost is null ? string.Empty : " (host " + RequestHost + ")") : "not set");
        Line(text, "ACTIONS_ID_TOKEN_REQUEST_TOKEN", RequestTokenPresent ? "set (value hidden)" : "not set");
        Line(text, "GITHUB_SERVER_URL", ServerUrl);
        Line(text, "expected issuer", ExpectedIssuer);
        Line(text, "GITHUB_REPOSITORY", Repository);
        Line(text, "GITHUB_EVENT_NAME", EventName);
        Line(text, "GITHUB_ACTOR", Actor);
        Line(text, "RUNNER_ENVIRONMENT", RunnerEnvironment);
        Line(text, "container", ContainerMarker);
        if (IsAct)
        {
            Line(text, "act", "yes");
        }

        foreach (var note in Notes)
        {
            text.AppendLine("note: " + note);
        }

        return text.ToString();
    }

    /// <summary>Renders the report as a JSON object (stable property names in snake_case).</summary>
    /// <returns>The JSON text.</returns>
    public string ToJson()
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true }))
        {
            json.WriteStartObject();
            json.WriteBoolean("can_request_token", CanRequestToken);
            WriteOrNull(json, "error_code", ErrorCode?.ToString());
            if (ErrorCode is { } code)
            {
                json.WriteNumber("error_number", (int)code);
                json.WriteNumber("exit_code", OidcTokenException.GetExitCode(code));
            }

            json.WriteString("message", Message);
            WriteOrNull(json, "help_link", HelpLink);
            json.WriteBoolean("github_actions", IsGitHubActions);
            json.WriteBoolean("request_url_present", RequestUrlPresent);
            json.WriteBoolean("request_token_present", RequestTokenPresent);
            WriteOrNull(json, "request_host", RequestHost);
            WriteOrNull(json, "server_url", ServerUrl);
            WriteOrNull(json, "expected_issuer", ExpectedIssuer);
            WriteOrNull(json, "repository", Repository);
            WriteOrNull(json, "event_name", EventName);
            WriteOrNull(json, "actor", Actor);
            WriteOrNull(json, "runner_environment", RunnerEnvironment);
            WriteOrNull(json, "container_marker", ContainerMarker);
            json.WriteBoolean("act", IsAct);
            json.WriteStartArray("notes");
            foreach (var note in Notes)
            {
                json.WriteStringValue(note);
            }

            json.WriteEndArray();
            json.WriteEndObject();
        }

        return Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length);
    }

    /// <summary>Throws the report's problem as an <see cref="OidcTokenException"/>; does nothing when a token can be requested.</summary>
    /// <exception cref="OidcTokenException">The environment cannot issue a token.</exception>
    public void ThrowIfUnavailable()
    {
        if (ErrorCode is { } code)
        {
            throw new OidcTokenException(code, Message);
        }
    }

    private static void Line(StringBuilder text, string name, string? value)
    {
        if (value is not null)
        {
            text.Append(CultureInfo.InvariantCulture, $"  {name,-31} {value}").AppendLine();
        }
    }

    private static void WriteOrNull(Utf8JsonWriter json, string name, string? value)
    {
        if (value is null)
        {
            json.WriteNull(name);
        }
        else
        {
            json.WriteString(name, value);
        }
    }
}
