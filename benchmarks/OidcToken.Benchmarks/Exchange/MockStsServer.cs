using OidcToken.Testing;

namespace OidcToken.Benchmarks.Exchange;

/// <summary>
/// <c>OidcToken.Benchmarks --serve-mock-sts [--subject-pattern PATTERN]</c>: the local STS stand-in of
/// <c>benchmarks/exchange-aws/run</c>. Starts <see cref="MockAwsSts"/> on a free loopback port, prints
/// <c>READY http://127.0.0.1:PORT/</c> on stdout, and serves until stdin closes. With a subject pattern the role's trust
/// policy refuses every token whose <c>sub</c> does not match it (HTTP 403 <c>AccessDenied</c>, as AWS answers).
/// </summary>
internal static class MockStsServer
{
    /// <summary>Runs the stand-in.</summary>
    /// <param name="args">The command line (after the mode).</param>
    /// <param name="output">Where the READY line goes.</param>
    /// <returns>The exit code.</returns>
    internal static int Run(string[] args, TextWriter output)
    {
        var options = new MockAwsStsOptions { AccountId = "111111111111" };
        if (Array.IndexOf(args, "--subject-pattern") is var index and >= 0)
        {
            if (index + 1 >= args.Length)
            {
                Console.Error.WriteLine("--subject-pattern needs an IAM StringLike pattern, e.g. 'repo:someone-else/*'");
                return 2;
            }

            options.SubjectPattern = args[index + 1];
        }

        using var sts = MockAwsSts.Start(options);
        output.WriteLine("READY " + sts.BaseAddress.AbsoluteUri);
        output.Flush();

        // Serves until the script closes stdin (or kills the process).
        while (Console.In.Read() >= 0)
        {
        }

        return 0;
    }
}
