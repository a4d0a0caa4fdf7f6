using System.Text.Json;
using System.Text.RegularExpressions;

namespace OidcToken.Exchange.Tests.Google;

public sealed class GoogleCredentialConfigurationTests
{
    private const string Provider = "projects/123456789012/locations/global/workloadIdentityPools/github-pool/providers/github-provider";
    private const string RequestUrl = "https://run-actions-1-azure-eastus.actions.githubusercontent.com/12//idtoken/plan/job?api-version=2.0";
    private const string RequestToken = "request-token-secret-value-0123456789abcdef";

    private static Func<string, string?> Runner(string? runnerTemp = null) => name => name switch
    {
        "GITHUB_ACTIONS" => "true",
        "ACTIONS_ID_TOKEN_REQUEST_URL" => RequestUrl,
        "ACTIONS_ID_TOKEN_REQUEST_TOKEN" => RequestToken,
        "RUNNER_TEMP" => runnerTemp,
        _ => null,
    };

    [Fact]
    public void Json_is_exactly_what_the_official_action_writes_for_direct_federation()
    {
        var configuration = new GoogleCredentialConfiguration(Provider) { EnvironmentVariables = Runner() };

        var expected =
            "{\"type\":\"external_account\","
            + "\"audience\":\"//iam.googleapis.com/" + Provider + "\","
            + "\"subject_token_type\":\"urn:ietf:params:oauth:token-type:jwt\","
            + "\"token_url\":\"https://sts.googleapis.com/v1/token\","
            + "\"credential_source\":{"
            + "\"url\":\"" + RequestUrl + "&audience=https%3A%2F%2Fiam.googleapis.com%2F" + Provider.Replace("/", "%2F", StringComparison.Ordinal) + "\","
            + "\"headers\":{\"Authorization\":\"Bearer " + RequestToken + "\"},"
            + "\"format\":{\"type\":\"json\",\"subject_token_field_name\":\"value\"}}}";
        Assert.Equal(expected, configuration.ToJson());
    }

    [Fact]
    public void Json_names_the_impersonation_url_when_a_service_account_is_given()
    {
        var configuration = new GoogleCredentialConfiguration(Provider)
        {
            ServiceAccount = "deployer@my-project.iam.gserviceaccount.com",
            EnvironmentVariables = Runner(),
        };

        using var json = JsonDocument.Parse(configuration.ToJson());
        var root = json.RootElement;
        Assert.Equal(
            "https://iamcredentials.googleapis.com/v1/projects/-/serviceAccounts/deployer@my-project.iam.gserviceaccount.com:generateAccessToken",
            root.GetProperty("service_account_impersonation_url").GetString());
        Assert.Equal(
            ["type", "audience", "subject_token_type", "token_url", "credential_source", "service_account_impersonation_url"],
            root.EnumerateObject().Select(p => p.Name).ToArray());
    }

    [Fact]
    public void Overrides_go_into_the_json_and_a_custom_audience_is_escaped()
    {
        var configuration = new GoogleCredentialConfiguration(Provider)
        {
            ServiceAccount = "deployer@my-project.iam.gserviceaccount.com",
            Audience = "my aud&x=1",
            TokenUrl = new Uri("http://127.0.0.1:8080/v1/token"),
            ImpersonationUrlBase = new Uri("http://localhost:8081/v1/projects/-/serviceAccounts"),
            EnvironmentVariables = Runner(),
        };

        using var json = JsonDocument.Parse(configuration.ToJson());
        var root = json.RootElement;
        Assert.Equal("http://127.0.0.1:8080/v1/token", root.GetProperty("token_url").GetString());
        Assert.Equal(
            "http://localhost:8081/v1/projects/-/serviceAccounts/deployer@my-project.iam.gserviceaccount.com:generateAccessToken",
            root.GetProperty("service_account_impersonation_url").GetString());
        Assert.Equal(RequestUrl + "&audience=my%20aud%26x%3D1", root.GetProperty("credential_source").GetProperty("url").GetString());
        Assert.Equal("//iam.googleapis.com/" + Provider, root.GetProperty("audience").GetString());
    }

    [Theory]
    [InlineData(Provider)]
    [InlineData("//iam.googleapis.com/" + Provider)]
    [InlineData("https://iam.googleapis.com/" + Provider)]
    [InlineData("  https://iam.googleapis.com/" + Provider + " ")]
    public void Provider_is_normalised_and_the_two_audiences_differ(string input)
    {
        var configuration = new GoogleCredentialConfiguration(input);

        Assert.Equal(Provider, configuration.WorkloadIdentityProvider);
        Assert.Equal("//iam.googleapis.com/" + Provider, configuration.StsAudience);
        Assert.Equal("https://iam.googleapis.com/" + Provider, configuration.GitHubAudience);
    }

    [Theory]
    [InlineData("projects/my-project/locations/global/workloadIdentityPools/github-pool/providers/github-provider", "project NUMBER")]
    [InlineData("projects/123/locations/us-east1/workloadIdentityPools/github-pool/providers/github-provider", "projects/<project number>")]
    [InlineData("projects/123/locations/global/workloadIdentityPools/GitHub/providers/github-provider", "projects/<project number>")]
    [InlineData("github-provider", "projects/<project number>")]
    [InlineData("", "projects/<project number>")]
    public void Malformed_provider_names_are_refused_naming_the_rule(string input, string expected)
    {
        var ex = Assert.Throws<ArgumentException>(() => new GoogleCredentialConfiguration(input));

        Assert.Contains(expected, ex.Message, StringComparison.Ordinal);
        Assert.Equal(nameof(GoogleCredentialConfiguration.WorkloadIdentityProvider), ex.ParamName);
    }

    [Theory]
    [InlineData("deployer")]
    [InlineData("deployer@")]
    [InlineData("@my-project.iam.gserviceaccount.com")]
    [InlineData("a b@my-project.iam.gserviceaccount.com")]
    [InlineData("deployer@my-project.iam.gserviceaccount.com/../x")]
    public void Malformed_service_accounts_are_refused(string account)
    {
        var ex = Assert.Throws<ArgumentException>(() => new GoogleCredentialConfiguration(Provider) { ServiceAccount = account });

        Assert.Contains("email", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("http://sts.example.test/v1/token")]
    [InlineData("http://127.0.0.1.example.test/v1/token")]
    [InlineData("ftp://127.0.0.1/v1/token")]
    [InlineData("https://user:pass@sts.example.test/v1/token")]
    public void Endpoints_must_be_https_or_loopback_http(string url)
    {
        Assert.Throws<ArgumentException>(() => new GoogleCredentialConfiguration(Provider) { TokenUrl = new Uri(url) });
        Assert.Throws<ArgumentException>(() => new GoogleCredentialConfiguration(Provider) { ImpersonationUrlBase = new Uri(url) });
    }

    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData("line\nbreak")]
    public void Bad_audiences_are_refused(string audience)
    {
        Assert.Throws<ArgumentException>(() => new GoogleCredentialConfiguration(Provider) { Audience = audience });
    }

    [Fact]
    public void Missing_permission_fails_with_the_core_diagnosis_code()
    {
        var configuration = new GoogleCredentialConfiguration(Provider) { EnvironmentVariables = name => name == "GITHUB_ACTIONS" ? "true" : null };

        var ex = Assert.Throws<OidcTokenException>(configuration.ToJson);

        Assert.Equal(OidcTokenErrorCode.PermissionMissing, ex.ErrorCode);
        Assert.Contains("id-token: write", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_missing_request_token_fails_with_its_own_code_and_writes_nothing()
    {
        var folder = Directory.CreateTempSubdirectory("gha-creds-test-");
        try
        {
            var configuration = new GoogleCredentialConfiguration(Provider)
            {
                EnvironmentVariables = name => name switch
                {
                    "GITHUB_ACTIONS" => "true",
                    "ACTIONS_ID_TOKEN_REQUEST_URL" => RequestUrl,
                    _ => null,
                },
            };

            var ex = await Assert.ThrowsAsync<OidcTokenException>(() => configuration.WriteFileAsync(folder.FullName));

            Assert.Equal(OidcTokenErrorCode.RequestTokenMissing, ex.ErrorCode);
            Assert.Empty(folder.GetFiles());
        }
        finally
        {
            folder.Delete(recursive: true);
        }
    }

    [Fact]
    public async Task File_goes_to_runner_temp_as_a_new_0600_file()
    {
        var folder = Directory.CreateTempSubdirectory("gha-creds-test-");
        try
        {
            var configuration = new GoogleCredentialConfiguration(Provider) { EnvironmentVariables = Runner(folder.FullName) };

            var first = await configuration.WriteFileAsync();
            var second = await configuration.WriteFileAsync();

            Assert.Equal(folder.FullName, Path.GetDirectoryName(first));
            Assert.Matches(new Regex("^gha-creds-[0-9a-f]{16}\\.json$"), Path.GetFileName(first));
            Assert.NotEqual(first, second);
            Assert.Equal(configuration.ToJson(), await File.ReadAllTextAsync(first));
            if (!OperatingSystem.IsWindows())
            {
                Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(first));
            }
        }
        finally
        {
            folder.Delete(recursive: true);
        }
    }

    [Fact]
    public async Task An_explicit_folder_wins_and_a_missing_one_is_refused()
    {
        var folder = Directory.CreateTempSubdirectory("gha-creds-test-");
        try
        {
            var configuration = new GoogleCredentialConfiguration(Provider) { EnvironmentVariables = Runner("/nonexistent-runner-temp") };

            var path = await configuration.WriteFileAsync(folder.FullName);
            Assert.StartsWith(folder.FullName, path, StringComparison.Ordinal);

            await Assert.ThrowsAsync<ArgumentException>(() => configuration.WriteFileAsync());
        }
        finally
        {
            folder.Delete(recursive: true);
        }
    }

    [Fact]
    public void ToString_never_shows_the_request_token_or_url()
    {
        var configuration = new GoogleCredentialConfiguration(Provider) { EnvironmentVariables = Runner() };

        var text = configuration.ToString();

        Assert.DoesNotContain(RequestToken, text, StringComparison.Ordinal);
        Assert.DoesNotContain("idtoken", text, StringComparison.Ordinal);
        Assert.Contains(Provider, text, StringComparison.Ordinal);
    }
}
