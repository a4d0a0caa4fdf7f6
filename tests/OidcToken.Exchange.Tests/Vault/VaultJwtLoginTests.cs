using OidcToken.Exchange.Tests.Support;
using OidcToken.Testing;

namespace OidcToken.Exchange.Tests.Vault;

public sealed class VaultJwtLoginTests : IDisposable
{
    private readonly IssuerHarness _github = new();
    private readonly MockVault _vault;

    public VaultJwtLoginTests() => _vault = MockVault.Start(_github.Issuer.DefaultAudience, role: "ci");

    public void Dispose()
    {
        _vault.Dispose();
        _github.Dispose();
    }

    private VaultJwtLoginOptions Options(Action<VaultJwtLoginOptions>? change = null)
    {
        var options = _github.Fast(new VaultJwtLoginOptions { Address = _vault.BaseAddress, Role = "ci" });
        change?.Invoke(options);
        return options;
    }

    [Fact]
    public async Task Login_returns_token_accessor_policies_and_lease_with_GitHubs_default_audience()
    {
        var result = await VaultJwtLogin.LoginAsync(_github.Source, Options());

        Assert.True(_vault.IsActive(result.RevealClientToken()));
        Assert.Equal(["default", "ci"], result.Policies);
        Assert.Equal(TimeSpan.FromHours(1), result.LeaseDuration);
        Assert.True(result.Renewable);
        Assert.False(string.IsNullOrEmpty(result.Accessor));
        var request = Assert.Single(_vault.Requests);
        Assert.Equal("/v1/auth/jwt/login", request.Path);
        Assert.Equal(_github.Issuer.DefaultAudience, request.Audience);
        Assert.StartsWith("OidcToken/", request.UserAgent, StringComparison.Ordinal);
        Assert.DoesNotContain(result.RevealClientToken(), result.ToString(), StringComparison.Ordinal);
        Assert.Contains("[redacted]", result.ToString(), StringComparison.Ordinal);
        _github.AssertNoSecrets(_github.Logs.Text, result.RevealClientToken());
    }

    [Fact]
    public async Task Login_uses_the_mount_path_and_namespace()
    {
        using var vault = MockVault.Start(_github.Issuer.DefaultAudience, role: "ci", mountPath: "github", vaultNamespace: "admin/team");
        var result = await VaultJwtLogin.LoginAsync(_github.Source, Options(o =>
        {
            o.Address = vault.BaseAddress;
            o.MountPath = "/github/";
            o.Namespace = "admin/team";
            o.Role = null;
        }));

        Assert.True(vault.IsActive(result.RevealClientToken()));
        Assert.Equal("/v1/auth/github/login", Assert.Single(vault.Requests).Path);
    }

    [Fact]
    public async Task Unknown_role_is_refused_with_Vaults_text_and_the_tokens_claims()
    {
        var ex = await Assert.ThrowsAsync<OidcTokenException>(() => VaultJwtLogin.LoginAsync(_github.Source, Options(o => o.Role = "nope")));

        Assert.Equal(OidcTokenErrorCode.ExchangeRefused, ex.ErrorCode);
        Assert.Equal(7, ex.ExitCode);
        Assert.Contains("role \"nope\" could not be found", ex.Message, StringComparison.Ordinal);
        Assert.Contains("the token had sub 'repo:", ex.Message, StringComparison.Ordinal);
        Assert.Contains("job_workflow_ref", ex.Message, StringComparison.Ordinal);
        Assert.Contains("Fix: check VaultJwtLoginOptions.Role", ex.Message, StringComparison.Ordinal);
        Assert.Equal(400, ex.StatusCode);
        Assert.Equal(1, ex.Attempts);
        Assert.Equal(1, _vault.RequestCount);
        _github.AssertNoSecrets(ex);
    }

    [Fact]
    public async Task Audience_mismatch_is_refused_and_the_fix_names_bound_audiences()
    {
        var ex = await Assert.ThrowsAsync<OidcTokenException>(() => VaultJwtLogin.LoginAsync(_github.Source, Options(o => o.Audience = "vault.example")));

        Assert.Equal(OidcTokenErrorCode.ExchangeRefused, ex.ErrorCode);
        Assert.Contains("invalid audience (aud) claim", ex.Message, StringComparison.Ordinal);
        Assert.Contains("aud 'vault.example'", ex.Message, StringComparison.Ordinal);
        Assert.Contains("bound_audiences", ex.Message, StringComparison.Ordinal);
        _github.AssertNoSecrets(ex);
    }

    [Fact]
    public async Task Bound_subject_mismatch_is_refused()
    {
        _vault.BoundSubject = "repo:someone/else:ref:refs/heads/main";

        var ex = await Assert.ThrowsAsync<OidcTokenException>(() => VaultJwtLogin.LoginAsync(_github.Source, Options()));

        Assert.Equal(OidcTokenErrorCode.ExchangeRefused, ex.ErrorCode);
        Assert.Contains("claim \"sub\" does not match", ex.Message, StringComparison.Ordinal);
        Assert.Contains("bound_subject", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Wrong_namespace_is_refused_as_an_unknown_route()
    {
        using var vault = MockVault.Start(_github.Issuer.DefaultAudience, vaultNamespace: "admin");

        var ex = await Assert.ThrowsAsync<OidcTokenException>(() => VaultJwtLogin.LoginAsync(_github.Source, Options(o => o.Address = vault.BaseAddress)));

        Assert.Equal(OidcTokenErrorCode.ExchangeRefused, ex.ErrorCode);
        Assert.Contains("no handler for route", ex.Message, StringComparison.Ordinal);
        Assert.Equal(404, ex.StatusCode);
    }

    [Theory]
    [InlineData(503)]
    [InlineData(429)]
    [InlineData(412)]
    public async Task Transient_errors_are_retried(int status)
    {
        _vault.FailNextRequests(2, MockVault.Error(status, "temporary"));

        var result = await VaultJwtLogin.LoginAsync(_github.Source, Options());

        Assert.True(_vault.IsActive(result.RevealClientToken()));
        Assert.Equal(3, _vault.RequestCount);
    }

    [Fact]
    public async Task Transient_errors_stop_after_MaxAttempts_with_ExchangeFailed()
    {
        _vault.FailNextRequests(10, MockVault.Error(503, "Vault is sealed"));

        var ex = await Assert.ThrowsAsync<OidcTokenException>(() => VaultJwtLogin.LoginAsync(_github.Source, Options()));

        Assert.Equal(OidcTokenErrorCode.ExchangeFailed, ex.ErrorCode);
        Assert.Equal(3, ex.Attempts);
        Assert.Equal(3, _vault.RequestCount);
        Assert.Contains("Vault is sealed", ex.Message, StringComparison.Ordinal);
        Assert.Contains("attempts: 3", ex.Message, StringComparison.Ordinal);
        _github.AssertNoSecrets(ex);
    }

    [Fact]
    public async Task A_permission_error_is_not_retried()
    {
        _vault.FailNextRequests(1, MockVault.Error(403, "permission denied"));

        var ex = await Assert.ThrowsAsync<OidcTokenException>(() => VaultJwtLogin.LoginAsync(_github.Source, Options()));

        Assert.Equal(OidcTokenErrorCode.ExchangeRefused, ex.ErrorCode);
        Assert.Equal(1, _vault.RequestCount);
    }

    [Theory]
    [InlineData("not json")]
    [InlineData("{\"auth\":null}")]
    [InlineData("{\"auth\":{\"accessor\":\"x\"}}")]
    [InlineData("{\"auth\":{\"client_token\":\"hvs.x\",\"lease_duration\":\"soon\"}}")]
    public async Task An_unusable_answer_is_ExchangeResponseInvalid(string body)
    {
        _vault.FailNextRequests(1, MockHttpTargetFault.Status(200, body));

        var ex = await Assert.ThrowsAsync<OidcTokenException>(() => VaultJwtLogin.LoginAsync(_github.Source, Options()));

        Assert.Equal(OidcTokenErrorCode.ExchangeResponseInvalid, ex.ErrorCode);
        Assert.Equal(5, ex.ExitCode);
        Assert.Equal(1, _vault.RequestCount);
    }

    [Fact]
    public async Task An_unreachable_server_is_ExchangeFailed()
    {
        var ex = await Assert.ThrowsAsync<OidcTokenException>(() => VaultJwtLogin.LoginAsync(_github.Source, Options(o => o.Address = IssuerHarness.ClosedPortUrl())));

        Assert.Equal(OidcTokenErrorCode.ExchangeFailed, ex.ErrorCode);
        Assert.Equal(3, ex.Attempts);
        Assert.Contains("could not be reached", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_redirect_is_refused_and_not_followed()
    {
        using var elsewhere = MockVault.Start(_github.Issuer.DefaultAudience);
        _vault.FailNextRequests(1, MockHttpTargetFault.Redirect(new Uri(elsewhere.BaseAddress, "v1/auth/jwt/login")));

        var ex = await Assert.ThrowsAsync<OidcTokenException>(() => VaultJwtLogin.LoginAsync(_github.Source, Options()));

        Assert.Equal(OidcTokenErrorCode.ExchangeFailed, ex.ErrorCode);
        Assert.Contains("redirect", ex.Message, StringComparison.Ordinal);
        Assert.Equal(0, elsewhere.RequestCount);
        Assert.Equal(1, _vault.RequestCount);
    }

    [Fact]
    public async Task Plain_http_to_a_remote_host_is_refused_before_any_request()
    {
        var ex = await Assert.ThrowsAsync<ArgumentException>(() => VaultJwtLogin.LoginAsync(_github.Source, Options(o => o.Address = new Uri("http://vault.example:8200"))));

        Assert.Contains("VaultJwtLoginOptions.Address 'http://vault.example:8200' cannot be used", ex.Message, StringComparison.Ordinal);
        Assert.Equal(0, _github.Issuer.TokenRequestCount);
    }

    [Fact]
    public async Task A_missing_address_is_an_ArgumentException_naming_VAULT_ADDR()
    {
        var ex = await Assert.ThrowsAsync<ArgumentException>(() => VaultJwtLogin.LoginAsync(_github.Source, Options(o => o.Address = null)));

        Assert.StartsWith("VaultJwtLoginOptions.Address is required: set it to the Vault server's address (the VAULT_ADDR value)", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("../sys")]
    [InlineData("jwt path")]
    [InlineData("")]
    public async Task An_invalid_mount_path_is_refused(string mount)
    {
        var ex = await Assert.ThrowsAsync<ArgumentException>(() => VaultJwtLogin.LoginAsync(_github.Source, Options(o => o.MountPath = mount)));

        Assert.Contains("is not a valid auth mount path", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_missing_CA_file_is_a_clear_ArgumentException()
    {
        var path = Path.Combine(Path.GetTempPath(), Guid.NewGuid().ToString("N") + ".pem");

        var ex = await Assert.ThrowsAsync<ArgumentException>(() => VaultJwtLogin.LoginAsync(_github.Source, Options(o => o.CaCertificateFile = path)));

        Assert.Equal($"VaultJwtLoginOptions.CaCertificateFile '{path}' cannot be used: the file does not exist. (Parameter 'VaultJwtLoginOptions.CaCertificateFile')", ex.Message);
        Assert.Equal(0, _vault.RequestCount);
    }

    [Fact]
    public async Task A_CA_file_without_certificates_is_a_clear_ArgumentException()
    {
        var path = Path.GetTempFileName();
        try
        {
            await File.WriteAllTextAsync(path, "this is not a certificate\n");

            var ex = await Assert.ThrowsAsync<ArgumentException>(() => VaultJwtLogin.LoginAsync(_github.Source, Options(o => o.CaCertificateFile = path)));

            Assert.Contains($"VaultJwtLoginOptions.CaCertificateFile '{path}' cannot be used", ex.Message, StringComparison.Ordinal);
            Assert.Contains("PEM", ex.Message, StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public async Task Revoke_revokes_the_token_and_a_second_revoke_is_refused()
    {
        var options = Options();
        var result = await VaultJwtLogin.LoginAsync(_github.Source, options);

        await VaultJwtLogin.RevokeAsync(result.RevealClientToken(), options);

        Assert.True(_vault.IsRevoked(result.RevealClientToken()));
        Assert.Equal(1, _vault.RevokedTokenCount);
        var revoke = _vault.Requests[^1];
        Assert.Equal("/v1/auth/token/revoke-self", revoke.Path);
        Assert.True(revoke.HasAuthorization);

        var ex = await Assert.ThrowsAsync<OidcTokenException>(() => VaultJwtLogin.RevokeAsync(result.RevealClientToken(), options));
        Assert.Equal(OidcTokenErrorCode.ExchangeRefused, ex.ErrorCode);
        Assert.Contains("permission denied", ex.Message, StringComparison.Ordinal);
        _github.AssertNoSecrets(ex, result.RevealClientToken());
    }

    [Fact]
    public async Task Cancellation_passes_through_unwrapped()
    {
        using var cancelled = new CancellationTokenSource();
        await cancelled.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => VaultJwtLogin.LoginAsync(_github.Source, Options(), cancelled.Token));
    }
}
