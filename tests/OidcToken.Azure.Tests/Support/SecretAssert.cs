namespace OidcToken.Azure.Tests.Support;

internal static class SecretAssert
{
    /// <summary>No GitHub token, request token, or 16-character piece of either appears anywhere in the exception chain.</summary>
    public static void NotIn(Exception exception, AzureHarness harness)
    {
        var text = exception.ToString();
        for (var current = exception; current is not null; current = current.InnerException)
        {
            text += "\n" + current.Message + "\n" + string.Join(';', current.Data.Values.Cast<object?>());
        }

        TestSupport.LeakGuard.AssertNoLeak(text, "SecretAssert.NotIn " + exception.GetType().Name);
        var secrets = harness.IssuedTokens.Append(harness.Issuer.RequestToken);
        foreach (var secret in secrets)
        {
            Assert.DoesNotContain(secret, text, StringComparison.Ordinal);
            for (var i = 0; i + 16 <= secret.Length; i += 8)
            {
                Assert.DoesNotContain(secret.Substring(i, 16), text, StringComparison.Ordinal);
            }
        }
    }
}
