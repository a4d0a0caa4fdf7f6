using OidcToken.Exchange.Common;

namespace OidcToken.Exchange.Tests.Errors;

/// <summary>
/// Golden wording of the failures every HTTP exchange reports (through <see cref="ExchangeSession"/>), one row per way an
/// exchange ends: the whole message is pinned, and the exception's fields carry the same facts as its text. Update a row
/// on purpose only: the texts are a contract.
/// </summary>
public sealed class ExchangeFailureGoldenTests
{
    public static TheoryData<string, int, string> Rows() => new()
    {
        {
            "refused", 400,
            "Vault refused the login: HTTP 403, Vault said: \"permission denied\".\nFix: check the role's bound claims.\n(endpoint: vault.example.test:8200; attempts: 1; elapsed: 0.0 s; last status: 403; request id: vault-req-1)"
        },
        {
            "invalid", 210,
            "Vault at vault.example.test:8200 answered, but HTTP 200 with a body that is not JSON (text/html).\nFix: check that VaultJwtLoginOptions.Address points at Vault itself and that no proxy rewrites its answers.\n(endpoint: vault.example.test:8200; attempts: 1; elapsed: 0.0 s; last status: 200; request id: vault-req-1)"
        },
        {
            "transient", 120,
            "Vault at vault.example.test:8200 could not be reached or kept failing with a temporary error (last: HTTP 503, Vault said: \"upstream error\").\nFix: check that this machine can reach vault.example.test:8200 (proxy settings such as HTTPS_PROXY/NO_PROXY, firewall rules) and that Vault is up; retrying later, or more attempts (VaultJwtLoginOptions.MaxAttempts), may help.\n(endpoint: vault.example.test:8200; attempts: 1; elapsed: 0.0 s; last status: 503; request id: vault-req-1)"
        },
        {
            "fatal", 120,
            "Vault at vault.example.test:8200 could not be used: HTTP 307: a redirect, which was not followed.\nFix: set VaultJwtLoginOptions.Address to the final address itself, not one that redirects.\n(endpoint: vault.example.test:8200; attempts: 1; elapsed: 0.0 s; last status: 307; request id: vault-req-1)"
        },
    };

    [Theory]
    [MemberData(nameof(Rows))]
    public async Task ExchangeFailure_HasItsGoldenWording_AndFieldsMatchTheFacts(string row, int code, string expected)
    {
        var options = new VaultJwtLoginOptions { MaxAttempts = 1, TimeProvider = new StoppedClock() };
        using var session = new ExchangeSession("Vault", "the login", new Uri("https://vault.example.test:8200"), "VaultJwtLoginOptions.Address", options);
        var failure = row switch
        {
            "refused" => ExchangeFailure.Refused("HTTP 403, Vault said: \"permission denied\"", "check the role's bound claims.", Answer(403)),
            "invalid" => ExchangeFailure.Invalid("HTTP 200 with a body that is not JSON (text/html)", Answer(200)),
            "transient" => ExchangeFailure.Transient("HTTP 503, Vault said: \"upstream error\"", Answer(503)),
            _ => ExchangeFailure.Fatal("HTTP 307: a redirect, which was not followed", "set VaultJwtLoginOptions.Address to the final address itself, not one that redirects.", Answer(307)),
        };

        var error = await Assert.ThrowsAsync<OidcTokenException>(() => session.RunAsync<int>(_ => throw failure, CancellationToken.None));

        Assert.Equal((OidcTokenErrorCode)code, error.ErrorCode);
        Assert.Equal(expected, error.Message);
        Assert.Equal(failure.StatusCode, error.StatusCode);
        Assert.Equal(1, error.Attempts);
        Assert.Equal(TimeSpan.Zero, error.Elapsed);
        Assert.Equal("vault-req-1", error.RequestId);
    }

    private static ExchangeResponse Answer(int status) => new(status, [], false, "vault-req-1", null, "text/html");

    /// <summary>A clock that never moves, so elapsed time is zero in the text.</summary>
    private sealed class StoppedClock : TimeProvider
    {
        public override long GetTimestamp() => 0;
    }
}
