using OidcToken.Testing;

namespace OidcToken.Cli.Exchanging;

public sealed class CleanupCommandTests : IDisposable
{
    private const string Provider = "projects/123456789/locations/global/workloadIdentityPools/github-pool/providers/github-provider";

    private readonly ExchangeHarness _runner = new();
    private readonly MockVault _vault;
    private readonly MockCratesRegistry _crates = MockCratesRegistry.Start();
    private readonly MockGoogleCloud _google = MockGoogleCloud.Start();

    public CleanupCommandTests() => _vault = MockVault.Start(_runner.Issuer.DefaultAudience);

    public void Dispose()
    {
        _crates.Dispose();
        _google.Dispose();
        _vault.Dispose();
        _runner.Dispose();
    }

    private async Task<(string File, string VaultToken, string CratesToken)> ExchangeAllAsync()
    {
        var gcp = await _runner.RunAsync("exchange", "gcp", "--workload-identity-provider", Provider, "--endpoint", _google.TokenUrl.AbsoluteUri);
        var vault = await _runner.RunAsync("exchange", "vault", "--endpoint", _vault.BaseAddress.AbsoluteUri);
        var crates = await _runner.RunAsync("exchange", "crates", "--endpoint", _crates.RegistryUrl.AbsoluteUri);
        Assert.Equal([0, 0, 0], new[] { gcp.ExitCode, vault.ExitCode, crates.ExitCode });
        return (
            ExchangeHarness.ParseEnv(gcp.Output)[0].Value,
            ExchangeHarness.ParseEnv(vault.Output)[0].Value,
            ExchangeHarness.ParseEnv(crates.Output)[0].Value);
    }

    [Fact]
    public async Task Cleanup_removes_the_file_revokes_both_tokens_and_deletes_its_state()
    {
        var (file, vaultToken, cratesToken) = await ExchangeAllAsync();
        Assert.True(File.Exists(file));
        if (!OperatingSystem.IsWindows())
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(_runner.StateFile));
        }

        var run = await CliRun.RunAsync(_runner.Context(actions: true), "cleanup");

        Assert.Equal(0, run.ExitCode);
        Assert.Empty(run.Output);
        Assert.False(File.Exists(file));
        Assert.True(_vault.IsRevoked(vaultToken));
        Assert.True(_crates.IsRevoked(cratesToken));
        Assert.Equal(1, _vault.RevokedTokenCount);
        Assert.Equal(1, _crates.RevokedTokenCount);
        Assert.Equal("DELETE", _crates.Requests[^1].Method);
        Assert.Equal("/v1/auth/token/revoke-self", _vault.Requests[^1].Path);
        Assert.False(File.Exists(_runner.StateFile));
        Assert.Empty(Directory.GetFileSystemEntries(_runner.RunnerTemp));
        Assert.Contains("removed " + file, run.Error, StringComparison.Ordinal);
        Assert.Contains("revoked the Vault token from " + _vault.BaseAddress.AbsoluteUri, run.Error, StringComparison.Ordinal);
        Assert.Contains("revoked the crates.io token from " + _crates.RegistryUrl.AbsoluteUri, run.Error, StringComparison.Ordinal);
        ExchangeHarness.AssertNoSecret(run.Error, vaultToken, cratesToken, _runner.Issuer.RequestToken);
        Assert.DoesNotContain("::add-mask::", run.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Cleanup_is_idempotent()
    {
        await ExchangeAllAsync();

        var first = await _runner.RunAsync("cleanup");
        var second = await _runner.RunAsync("cleanup");

        Assert.Equal(0, first.ExitCode);
        Assert.Equal(0, second.ExitCode);
        Assert.Equal("oidc-token: cleanup: nothing to clean up." + Environment.NewLine, second.Error);
        Assert.Equal(1, _vault.RevokedTokenCount);
        Assert.Equal(1, _crates.RevokedTokenCount);
    }

    [Fact]
    public async Task Nothing_recorded_exits_0()
    {
        var run = await _runner.RunAsync("cleanup");

        Assert.Equal(0, run.ExitCode);
        Assert.Empty(run.Output);
        Assert.Contains("nothing to clean up", run.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_failed_revocation_exits_non_zero_undoes_the_rest_and_stays_recorded()
    {
        var (file, vaultToken, cratesToken) = await ExchangeAllAsync();
        _vault.FailNextRequests(3, MockHttpTargetFault.Status(503, "{\"errors\":[\"Vault is sealed\"]}"));

        var run = await _runner.RunAsync("cleanup");

        Assert.Equal(4, run.ExitCode);
        Assert.Contains("could not revoke the Vault token", run.Error, StringComparison.Ordinal);
        Assert.Contains("ExchangeFailed", run.Error, StringComparison.Ordinal);
        Assert.False(File.Exists(file));
        Assert.True(_crates.IsRevoked(cratesToken));
        Assert.True(_vault.IsActive(vaultToken));
        Assert.True(File.Exists(_runner.StateFile));
        Assert.DoesNotContain(cratesToken, File.ReadAllText(_runner.StateFile), StringComparison.Ordinal);
        ExchangeHarness.AssertNoSecret(run.Error, vaultToken, cratesToken);

        var retry = await _runner.RunAsync("cleanup");

        Assert.Equal(0, retry.ExitCode);
        Assert.True(_vault.IsRevoked(vaultToken));
        Assert.False(File.Exists(_runner.StateFile));
    }

    [Fact]
    public async Task A_token_that_was_already_revoked_or_expired_counts_as_cleaned_up()
    {
        var (_, vaultToken, cratesToken) = await ExchangeAllAsync();
        await OidcToken.Exchange.CratesTrustedPublishing.RevokeAsync(cratesToken, new OidcToken.Exchange.CratesTrustedPublishingOptions { RegistryUrl = _crates.RegistryUrl });

        var run = await _runner.RunAsync("cleanup");

        Assert.Equal(0, run.ExitCode);
        Assert.Contains("the crates.io token from " + _crates.RegistryUrl.AbsoluteUri + " was already expired or revoked", run.Error, StringComparison.Ordinal);
        Assert.True(_vault.IsRevoked(vaultToken));
        Assert.False(File.Exists(_runner.StateFile));
    }

    [Fact]
    public async Task A_file_already_deleted_is_reported_and_dropped()
    {
        var gcp = await _runner.RunAsync("exchange", "gcp", "--workload-identity-provider", Provider, "--endpoint", _google.TokenUrl.AbsoluteUri);
        var file = ExchangeHarness.ParseEnv(gcp.Output)[0].Value;
        File.Delete(file);

        var run = await _runner.RunAsync("cleanup");

        Assert.Equal(0, run.ExitCode);
        Assert.Contains("already gone: " + file, run.Error, StringComparison.Ordinal);
        Assert.False(File.Exists(_runner.StateFile));
    }

    [Fact]
    public async Task A_state_file_others_can_read_is_refused()
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }

        File.WriteAllText(_runner.StateFile, "{\"version\":1,\"entries\":[{\"kind\":\"file\",\"location\":\"/etc/passwd\"}]}");
        File.SetUnixFileMode(_runner.StateFile, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.OtherRead);

        var run = await _runner.RunAsync("cleanup");

        Assert.Equal(3, run.ExitCode);
        Assert.Contains("can be read or written by other users", run.Error, StringComparison.Ordinal);
        Assert.True(File.Exists(_runner.StateFile));
    }

    [Theory]
    [InlineData("not JSON", "{\"version\":1,\"entries\":[", "is not valid JSON")]
    [InlineData("another tool's JSON", "{\"version\":1}", "is not an oidc-token state file")]
    [InlineData("an unknown entry", "{\"version\":1,\"entries\":[{\"kind\":\"disk\",\"location\":\"/\"}]}", "holds an entry oidc-token cannot read")]
    public async Task A_state_file_oidc_token_did_not_write_exits_3_names_the_file_and_is_kept(string what, string content, string message)
    {
        File.WriteAllText(_runner.StateFile, content);
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(_runner.StateFile, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }

        var run = await _runner.RunAsync("cleanup");

        Assert.True(run.ExitCode == 3, what + ": exit " + run.ExitCode + "\n" + run.Error);
        Assert.Empty(run.Output);
        Assert.Contains(message, run.Error, StringComparison.Ordinal);
        Assert.Contains(_runner.StateFile, run.Error, StringComparison.Ordinal);
        Assert.Contains("remove it", run.Error, StringComparison.Ordinal);
        Assert.Equal(content, File.ReadAllText(_runner.StateFile));
    }

    [Fact]
    public async Task A_state_file_that_is_a_symbolic_link_is_refused_with_exit_3()
    {
        var target = Path.Combine(_runner.RunnerTemp, "elsewhere.json");
        File.WriteAllText(target, "{\"version\":1,\"entries\":[]}");
        File.CreateSymbolicLink(_runner.StateFile, target);

        var run = await _runner.RunAsync("cleanup");

        Assert.Equal(3, run.ExitCode);
        Assert.Contains("is a symbolic link", run.Error, StringComparison.Ordinal);
        Assert.True(File.Exists(target));
    }

    [Fact]
    public async Task Entries_from_steps_side_by_side_are_all_kept()
    {
        var runs = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ =>
            _runner.RunAsync("exchange", "crates", "--endpoint", _crates.RegistryUrl.AbsoluteUri)));

        Assert.All(runs, r => Assert.Equal(0, r.ExitCode));
        var cleanup = await _runner.RunAsync("cleanup");

        Assert.Equal(0, cleanup.ExitCode);
        Assert.Equal(4, _crates.RevokedTokenCount);
    }
}
