// Fuzz: AWS STS answers are outside input (XML, parsed by the AWS SDK inside GitHubAwsCredentials). Through MockAwsSts:
//   - MockAwsSts.Error with random error codes (known and random text), statuses 300–599 and messages (NULs, lone surrogates,
//     markup, very long);
//   - FailNextRequests with MockHttpTargetFault.Html();
//   - MockHttpTargetFault.Status with hostile XML: mutations of STS's real success and error documents (elements removed,
//     duplicated, emptied or given hostile text: bad dates, huge numbers, markup), truncation, deep nesting, DTDs with
//     internal entity expansion (billion laughs) and external entities (file and loopback URLs), CDATA, BOMs, NULs,
//     invalid characters, other namespaces, random text — with random statuses and content types.
// GitHubAwsCredentials.AssumeRoleAsync returns credentials or throws OidcTokenException (never another exception,
// never hangs), and no message carries a secret the mock registered.
//
// Budget: OIDCTOKEN_FUZZ_ITERATIONS (iterations per property; defaults here 200–400) and OIDCTOKEN_FUZZ_SEED (replay) —
// see tests/Shared/Fuzz/FuzzSettings.cs and docs/TESTING.md. Long campaign:
//   OIDCTOKEN_FUZZ_ITERATIONS=20000 dotnet test tests/OidcToken.Aws.Tests -c Release --filter "FullyQualifiedName~.Fuzz."
using System.Globalization;
using System.Text;
using CsCheck;
using OidcToken.Aws.Tests.Support;
using OidcToken.Fuzzing;
using OidcToken.Testing;

namespace OidcToken.Aws.Tests.Fuzz;

public sealed class StsResponseFuzz : IDisposable
{
    private const string Ns = MockAwsSts.XmlNamespace;

    private static readonly string[] Codes =
    [
        "IDPCommunicationError", "Throttling", "AccessDenied", "ExpiredTokenException", "InvalidIdentityToken", "IDPRejectedClaim",
        "ValidationError", "RegionDisabledException", "PackedPolicyTooLarge", "MalformedPolicyDocument", "InternalFailure", "ServiceUnavailable",
        "RequestExpired", "", " ", "<x/>", "&amp;", "Throttling\0", "\ud800",
    ];

    private static readonly string SuccessTemplate =
        "<AssumeRoleWithWebIdentityResponse xmlns=\"" + Ns + "\"><AssumeRoleWithWebIdentityResult>"
        + "<SubjectFromWebIdentityToken>repo:octo-org/octo-repo:ref:refs/heads/main</SubjectFromWebIdentityToken><Audience>sts.amazonaws.com</Audience>"
        + "<AssumedRoleUser><Arn>arn:aws:sts::123456789012:assumed-role/github-actions/GitHubActions</Arn><AssumedRoleId>AROAFUZZFUZZFUZZFUZZ1:GitHubActions</AssumedRoleId></AssumedRoleUser>"
        + "<Credentials><SessionToken>FwoGZXIvYXdzEFUZZsessiontokenNOTREAL</SessionToken><SecretAccessKey>fuzzSecretAccessKeyNotRealNotReal0123456</SecretAccessKey>"
        + "<Expiration>2099-01-01T00:00:00Z</Expiration><AccessKeyId>ASIAFUZZFUZZFUZZFUZZ</AccessKeyId></Credentials>"
        + "<Provider>arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com</Provider>"
        + "</AssumeRoleWithWebIdentityResult><ResponseMetadata><RequestId>c6104cbe-af31-11e0-8154-cbc7ccf896c7</RequestId></ResponseMetadata>"
        + "</AssumeRoleWithWebIdentityResponse>";

    private static readonly string ErrorTemplate =
        "<ErrorResponse xmlns=\"" + Ns + "\"><Error><Type>Sender</Type><Code>InvalidIdentityToken</Code><Message>Incorrect token audience</Message></Error>"
        + "<RequestId>c6104cbe-af31-11e0-8154-cbc7ccf896c7</RequestId></ErrorResponse>";

    private static readonly string[] HostileText =
    [
        "", " ", "not-a-date", "2099-13-45T99:99:99Z", "0001-01-01T00:00:00Z", "9999-12-31T23:59:59.9999999Z", "-1", "1e400",
        "99999999999999999999999", "&lt;x&gt;", "&#0;", "&#xD800;", "&#x110000;", "&undefined;", "<![CDATA[x]]>", "<b>bold</b>", "&amp;&amp;",
        new string('A', 70_000),
    ];

    private readonly AwsHarness _harness = new();

    public void Dispose() => _harness.Dispose();

    private GitHubAwsCredentialsOptions Options() => _harness.Options(o =>
    {
        o.MaxAttempts = 1;
        o.Deadline = TimeSpan.FromSeconds(30);
    });

    private async Task AssertOutcome(object what)
    {
        AwsSessionCredentials? credentials = null;
        var error = await FuzzKit.Bounded(async () => credentials = await GitHubAwsCredentials.AssumeRoleAsync(_harness.Source, Options(), CancellationToken.None), what);
        if (FuzzKit.AssertDocumented(error, what) is { } documented)
        {
            // An external entity must never be resolved into what the caller sees.
            Assert.DoesNotContain("root:", documented.ToString(), StringComparison.Ordinal);
        }
        else
        {
            Assert.NotNull(credentials);
            Assert.DoesNotContain("root:", credentials!.AccessKeyId + credentials.AssumedRoleArn + credentials.SubjectFromWebIdentityToken, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task STS_errors_with_random_codes_statuses_and_messages_are_documented_errors()
    {
        var gen = Gen.Select(Gen.Int[0, Codes.Length], Gen.Int[300, 599], Gen.String[0, 300], Gen.Int[0, 9]);
        await gen.SampleAsync(
            async (codeIndex, status, message, kind) =>
            {
                var code = codeIndex == Codes.Length ? new string(message.Take(30).ToArray()) : Codes[codeIndex];
                var what = $"FailNext(code {FuzzKit.JsonString(code)}, HTTP {status}, message {FuzzKit.JsonString(FuzzKit.Shorten(message))}), kind {kind}";
                if (kind == 0)
                {
                    _harness.Sts.FailNextRequests(1, MockHttpTargetFault.Html());
                }
                else
                {
                    _harness.Sts.FailNextRequests(1, MockAwsSts.Error(code, status, message));
                }

                await AssertOutcome(what);
            },
            seed: FuzzSettings.Seed,
            iter: FuzzSettings.Iterations(200),
            threads: 1);
    }

    [Fact]
    public async Task Hostile_XML_bodies_are_credentials_or_documented_errors()
    {
        await Gen.Int.Select(HostileXml).SampleAsync(
            async c =>
            {
                var (status, contentType, body) = c.Answer;
                _harness.Sts.FailNextRequests(1, MockHttpTargetFault.Status(status, body, contentType: contentType));
                await AssertOutcome(c);
            },
            seed: FuzzSettings.Seed,
            iter: FuzzSettings.Iterations(400),
            threads: 1);
    }

    [Theory]
    [InlineData("&amp;&amp;")]
    [InlineData("99999999999999999999")]
    [InlineData("1e400")]
    public async Task An_Expiration_that_is_no_date_is_an_unusable_answer(string expiration)
    {
        // Found by this campaign: the SDK's unmarshaller threw FormatException ("&&") and ArgumentOutOfRangeException
        // (epoch seconds past year 9999) out of AssumeRoleAsync.
        _harness.Sts.FailNextRequests(1, MockHttpTargetFault.Status(200, SuccessTemplate.Replace("2099-01-01T00:00:00Z", expiration, StringComparison.Ordinal), contentType: "text/xml"));

        var error = await Assert.ThrowsAsync<OidcTokenException>(() => GitHubAwsCredentials.AssumeRoleAsync(_harness.Source, Options(), CancellationToken.None));

        Assert.Equal(OidcTokenErrorCode.ExchangeResponseInvalid, error.ErrorCode);
    }

    internal sealed record XmlCase(string Description, (int Status, string ContentType, string Body) Answer)
    {
        public override string ToString() => Description + " | " + FuzzKit.Shorten(Answer.Body, 200);
    }

    private static XmlCase HostileXml(int seed)
    {
        var random = new Random(seed);
        var template = random.Next(3) == 0 ? ErrorTemplate : SuccessTemplate;
        string how;
        string body;
        switch (random.Next(12))
        {
            case 0:
                how = "random text";
                body = FuzzKit.RandomText(random, 300);
                break;
            case 1:
            {
                var cut = random.Next(template.Length);
                how = "truncated at " + cut.ToString(CultureInfo.InvariantCulture);
                body = template[..cut];
                break;
            }

            case 2:
            {
                var depth = random.Next(1, 20_000);
                how = "deep nesting " + depth.ToString(CultureInfo.InvariantCulture);
                body = "<AssumeRoleWithWebIdentityResponse xmlns=\"" + Ns + "\">" + new StringBuilder().Insert(0, "<a>", depth) + new StringBuilder().Insert(0, "</a>", depth) + "</AssumeRoleWithWebIdentityResponse>";
                break;
            }

            case 3:
                how = "billion laughs";
                body = "<?xml version=\"1.0\"?><!DOCTYPE r [<!ENTITY a \"aaaaaaaaaa\"><!ENTITY b \"&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;\"><!ENTITY c \"&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;\">"
                       + "<!ENTITY d \"&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;\"><!ENTITY e \"&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;\"><!ENTITY f \"&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;\">"
                       + "<!ENTITY g \"&f;&f;&f;&f;&f;&f;&f;&f;&f;&f;\"><!ENTITY h \"&g;&g;&g;&g;&g;&g;&g;&g;&g;&g;\">]>"
                       + template.Replace("InvalidIdentityToken", "&h;", StringComparison.Ordinal).Replace("ASIAFUZZFUZZFUZZFUZZ", "&h;", StringComparison.Ordinal);
                break;
            case 4:
            {
                // (Not /dev/zero: a parser that resolved it would read without end and take the test host down with it.)
                string[] targets = ["file:///etc/passwd", "http://127.0.0.1:1/x", "/etc/passwd"];
                var target = targets[random.Next(targets.Length)];
                how = "external entity " + target;
                body = "<?xml version=\"1.0\"?><!DOCTYPE r [<!ENTITY x SYSTEM \"" + target + "\">]>"
                       + template.Replace("Incorrect token audience", "&x;", StringComparison.Ordinal).Replace("ASIAFUZZFUZZFUZZFUZZ", "&x;", StringComparison.Ordinal);
                break;
            }

            case 5:
                how = "BOM / declaration variants";
                body = random.Next(3) switch
                {
                    0 => "\uFEFF" + template,
                    1 => "<?xml version=\"1.0\" encoding=\"utf-16\"?>" + template,
                    _ => "  \n<?xml version=\"1.1\"?>" + template,
                };
                break;
            case 6:
                how = "other namespace";
                body = template.Replace(Ns, random.Next(2) == 0 ? "urn:evil" : string.Empty, StringComparison.Ordinal);
                break;
            case 7:
            {
                var at = random.Next(template.Length + 1);
                string[] inserts = ["\0", "\u0001", "\ud800", "\uFFFE", "&", "<", "]]>", "<!-- -->", "<?pi?>", "<![CDATA[<x>]]>"];
                var insert = inserts[random.Next(inserts.Length)];
                how = "inserted " + FuzzKit.JsonString(insert) + " at " + at.ToString(CultureInfo.InvariantCulture);
                body = template.Insert(at, insert);
                break;
            }

            default:
            {
                // Element-level edits: pick an element by name and remove it, duplicate it, empty it or give it hostile text.
                string[] names = ["Credentials", "AccessKeyId", "SecretAccessKey", "SessionToken", "Expiration", "AssumedRoleUser", "Arn", "AssumedRoleId",
                    "SubjectFromWebIdentityToken", "Audience", "Provider", "AssumeRoleWithWebIdentityResult", "ResponseMetadata", "RequestId", "Error", "Code", "Message", "Type"];
                body = template;
                var log = new StringBuilder();
                for (var n = random.Next(1, 4); n > 0; n--)
                {
                    var name = names[random.Next(names.Length)];
                    var open = body.IndexOf("<" + name + ">", StringComparison.Ordinal);
                    var close = body.IndexOf("</" + name + ">", StringComparison.Ordinal);
                    if (open < 0 || close < open)
                    {
                        continue;
                    }

                    var end = close + name.Length + 3;
                    var element = body[open..end];
                    switch (random.Next(4))
                    {
                        case 0:
                            body = body.Remove(open, end - open);
                            log.Append(" remove ").Append(name);
                            break;
                        case 1:
                            body = body.Insert(end, element);
                            log.Append(" duplicate ").Append(name);
                            break;
                        case 2:
                            body = body.Remove(open, end - open).Insert(open, "<" + name + "/>");
                            log.Append(" empty ").Append(name);
                            break;
                        default:
                        {
                            var text = HostileText[random.Next(HostileText.Length)];
                            body = body.Remove(open, end - open).Insert(open, "<" + name + ">" + text + "</" + name + ">");
                            log.Append(" set ").Append(name).Append('=').Append(FuzzKit.Shorten(text, 20));
                            break;
                        }
                    }
                }

                how = "edited:" + log;
                break;
            }
        }

        var status = random.Next(3) == 0 ? random.Next(200, 600) : (template == SuccessTemplate ? 200 : 400);
        string[] types = ["text/xml", "application/xml", "text/html", "application/json", "text/xml; charset=utf-16", "application/octet-stream"];
        var contentType = random.Next(3) == 0 ? types[random.Next(types.Length)] : "text/xml";
        return new XmlCase($"seed {seed.ToString(CultureInfo.InvariantCulture)}: HTTP {status}, {contentType}, {how}", (status, contentType, body));
    }
}
