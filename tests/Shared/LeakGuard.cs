using System.Collections;
using System.Diagnostics;
using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text;
using OidcToken.Testing;

namespace OidcToken.TestSupport;

/// <summary>
/// The suite-wide secret leak guard, compiled into every test assembly (tests/Directory.Build.props links this file).
/// A module initializer hooks every first-chance exception (its message, its inner exceptions' messages and every
/// <see cref="Exception.Data"/> key and value) and every stopped <see cref="Activity"/> of every source (display name,
/// status description, tags and event tags), and tests call <see cref="CheckCliRun"/> and <see cref="AssertNoLeak"/>
/// on the output and logs they capture. Whatever holds a secret registered in <see cref="SecretLedger"/> (every mock
/// registers what it issues), or a 16-character piece of one, is a leak: one line naming where (never the secret) goes
/// to <c>&lt;repo&gt;/artifacts/leaks.txt</c> and to stderr. The hooks cannot fail a test (throwing from them would
/// crash the test host), so <c>.ci/run</c> fails the run when that file is not empty, and <c>dotnet test</c> fails a
/// test project whose run wrote to <c>artifacts/leaks/&lt;assembly&gt;.txt</c> (a target in tests/Directory.Build.props);
/// the explicit checks also fail the test that made them.
/// </summary>
/// <remarks>
/// <c>OIDCTOKEN_LEAKS_FILE</c> overrides the file; <see cref="RedirectTo"/> sends the findings of one async flow to
/// another file (the guard's own tests use it to leak on purpose without failing the run).
/// </remarks>
internal static class LeakGuard
{
    private const int MaxReportsPerProcess = 200;

    /// <summary>
    /// First-chance exceptions that may hold a secret without it being a leak, by the namespace of the exception's type and
    /// of the method that threw it, each with its reason. They are written to <c>artifacts/leaks-allowed.txt</c> (which
    /// fails nothing) instead. None of them can hide a leak of ours: if our code wraps such an exception (inner
    /// exceptions are checked), logs it or prints it, that is checked and reported where it happens.
    /// </summary>
    internal static readonly (string ExceptionNamespace, string ThrowerNamespace, string Reason)[] AllowedFirstChance =
    [
        ("System.Text.Json", "System.Text.Json",
            "System.Text.Json quotes the invalid literal it met (e.g. 'token eyJ…' for a body starting with t) in its " +
            "message; the tests' mocks echo secrets into response bodies on purpose, and our parsers catch JsonException " +
            "and surface their own message"),
        ("Amazon.", "Amazon.Runtime.Internal",
            "the AWS SDK builds its service exception from STS's <Message> verbatim; SecretTests makes STS echo the " +
            "GitHub token on purpose, and OidcToken.Aws catches the SDK exception and surfaces a scrubbed message " +
            "without it as inner exception"),
    ];

    private static readonly Lock _fileGate = new();
    private static readonly HashSet<string> _reported = new(StringComparer.Ordinal);
    private static readonly AsyncLocal<string?> _redirect = new();
    private static readonly string _assembly = typeof(LeakGuard).Assembly.GetName().Name ?? "tests";
    private static readonly Lazy<string> _defaultPath = new(FindDefaultPath);
    private static int _installed;

    [ThreadStatic]
    private static bool _inHook;

    /// <summary>The file findings go to: <c>OIDCTOKEN_LEAKS_FILE</c>, or <c>artifacts/leaks.txt</c> at the repository root.</summary>
    internal static string ReportPath => _redirect.Value ?? _defaultPath.Value;

    /// <summary>
    /// Installs the hooks once per process (a module initializer: it runs before any test in the assembly).
    /// <c>OIDCTOKEN_LEAK_GUARD=off</c> leaves them out (to measure their cost; the explicit checks still run).
    /// </summary>
    [ModuleInitializer]
    internal static void Install()
    {
        if (Interlocked.Exchange(ref _installed, 1) != 0
            || string.Equals(Environment.GetEnvironmentVariable("OIDCTOKEN_LEAK_GUARD"), "off", StringComparison.OrdinalIgnoreCase))
        {
            return;
        }

        AppDomain.CurrentDomain.FirstChanceException += (_, e) => Guarded(() => InspectException(e.Exception));

        // Every source, with all data so instrumentations fill in their tags; the listener lives as long as the process.
        ActivitySource.AddActivityListener(new ActivityListener
        {
            ShouldListenTo = _ => true,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllData,
            ActivityStopped = activity => Guarded(() => InspectActivity(activity)),
        });
    }

    /// <summary>Sends this async flow's findings to <paramref name="path"/> until the result is disposed.</summary>
    internal static IDisposable RedirectTo(string path)
    {
        var previous = _redirect.Value;
        _redirect.Value = path;
        return new Restore(() => _redirect.Value = previous);
    }

    /// <summary>Checks an exception as the first-chance hook does; returns the finding, if any, after reporting it.</summary>
    internal static string? InspectException(Exception exception)
    {
        var where = exception.GetType().FullName + Thrower(exception);
        var kind = Allowed(exception) is { } reason ? "allowed exception (" + reason + ")" : "exception";
        for (var (current, depth) = (exception, 0); current is not null && depth < 8; (current, depth) = (current.InnerException, depth + 1))
        {
            var part = depth == 0 ? "message" : "inner " + current.GetType().FullName + " message";
            if (Check(kind, where + " " + part, current.Message) is { } found)
            {
                return found;
            }

            if (current.Data.Count == 0)
            {
                continue;
            }

            foreach (DictionaryEntry entry in current.Data)
            {
                if (Check(kind, where + " Data key", Text(entry.Key)) is { } key)
                {
                    return key;
                }

                if (Check(kind, where + " Data[" + Describe(entry.Key) + "]", Text(entry.Value)) is { } value)
                {
                    return value;
                }
            }
        }

        return null;
    }

    /// <summary>Checks a stopped activity as the listener does; returns the finding, if any, after reporting it.</summary>
    internal static string? InspectActivity(Activity activity)
    {
        var where = "source '" + activity.Source.Name + "' activity '" + activity.OperationName + "'";
        if (Check("activity", where + " display name", activity.DisplayName) is { } name)
        {
            return name;
        }

        if (Check("activity", where + " status description", activity.StatusDescription) is { } status)
        {
            return status;
        }

        foreach (var tag in activity.TagObjects)
        {
            if (Check("activity", where + " tag '" + tag.Key + "'", tag.Key + "=" + Text(tag.Value)) is { } found)
            {
                return found;
            }
        }

        foreach (var activityEvent in activity.Events)
        {
            foreach (var tag in activityEvent.Tags)
            {
                if (Check("activity", where + " event '" + activityEvent.Name + "' tag '" + tag.Key + "'", Text(tag.Value)) is { } found)
                {
                    return found;
                }
            }
        }

        foreach (var (key, value) in activity.Baggage)
        {
            if (Check("activity", where + " baggage '" + key + "'", value) is { } found)
            {
                return found;
            }
        }

        return null;
    }

    /// <summary>
    /// Checks one in-process run of <c>oidc-token</c>: stderr always (but <c>::add-mask::</c> lines, which exist to hand a
    /// secret to the runner's masker), stdout unless the command's output is the secret it was asked for (<c>token</c>,
    /// and <c>exchange</c> with <c>--format env</c>, the default, <c>json</c> or <c>credential-process</c>). A leak is reported and fails the test.
    /// </summary>
    internal static void CheckCliRun(IReadOnlyList<string> args, string output, string error)
    {
        var command = args.FirstOrDefault(a => !a.StartsWith('-')) ?? "(none)";
        var unmasked = string.Join('\n', error.Split('\n').Where(line => !line.StartsWith("::add-mask::", StringComparison.Ordinal)));
        var found = Check("cli", "oidc-token " + command + " stderr", unmasked);
        if (found is null && !StdoutIsTheSecret(command, args))
        {
            found = Check("cli", "oidc-token " + command + " stdout", output);
        }

        if (found is not null)
        {
            Assert.Fail("oidc-token " + command + " printed " + found + " (see artifacts/leaks.txt)");
        }
    }

    /// <summary>Fails the test (and reports the leak) when <paramref name="text"/> holds a registered secret.</summary>
    internal static void AssertNoLeak(string? text, string where)
    {
        if (Check("assert", where, text) is { } found)
        {
            Assert.Fail(where + " holds " + found + " (see artifacts/leaks.txt)");
        }
    }

    /// <summary>Reports (without failing) a captured log line that holds a registered secret.</summary>
    internal static void CheckLogLine(string? line, string where) => Check("log", where, line);

    private static string? Check(string kind, string where, string? text)
    {
        if (SecretLedger.FindLeak(text) is not { } found)
        {
            return null;
        }

        Report(kind, where, found);
        return found;
    }

    private static void Report(string kind, string where, string finding)
    {
        var path = ReportPath;
        var line = string.Create(
            CultureInfo.InvariantCulture,
            $"{TimeProvider.System.GetUtcNow():O}\t{_assembly}\t{kind}\t{where}\t{finding}\t{TestFrames()}");
        lock (_fileGate)
        {
            if (!_reported.Add(path + "\n" + kind + "\n" + where) || _reported.Count > MaxReportsPerProcess)
            {
                return;
            }
        }

        if (kind.StartsWith("allowed ", StringComparison.Ordinal))
        {
            Append(Path.Combine(Path.GetDirectoryName(path)!, Path.GetFileNameWithoutExtension(path) + "-allowed.txt"), line);
            return;
        }

        Console.Error.WriteLine("LEAK: " + line);
        Append(path, line);
        if (_redirect.Value is null)
        {
            // This assembly's own copy, which the VSTest target of tests/Directory.Build.props checks (so a plain
            // `dotnet test` fails on a leak too) after deleting it before the run.
            Append(Path.Combine(Path.GetDirectoryName(path)!, "leaks", _assembly + ".txt"), line);
        }
    }

    private static void Append(string path, string line)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);

        // Test assemblies run in parallel processes: take the file exclusively (an advisory lock on Unix) and retry.
        for (var attempt = 0; ; attempt++)
        {
            try
            {
                using var file = new FileStream(path, FileMode.Append, FileAccess.Write, FileShare.None);
                var bytes = Encoding.UTF8.GetBytes(line + "\n");
                file.Write(bytes);
                return;
            }
            catch (IOException) when (attempt < 50)
            {
                Thread.Sleep(20);
            }
        }
    }

    // The hooks run inside the code under test (a throw, an Activity.Stop): they must never throw into it, nor recurse
    // into themselves (a first-chance handler that throws takes the test host down).
    private static void Guarded(Func<string?> inspect)
    {
        if (_inHook)
        {
            return;
        }

        _inHook = true;
        try
        {
            inspect();
        }
#pragma warning disable CA1031 // the one place a catch-all is right: nothing may escape a hook into the code under test
        catch (Exception)
        {
        }
#pragma warning restore CA1031
        finally
        {
            _inHook = false;
        }
    }

    private static bool StdoutIsTheSecret(string command, IReadOnlyList<string> args)
    {
        if (command == "token")
        {
            return true;
        }

        if (command != "exchange")
        {
            return false;
        }

        var format = "env";
        for (var i = 0; i < args.Count; i++)
        {
            if (args[i] == "--format" && i + 1 < args.Count)
            {
                format = args[i + 1];
            }
            else if (args[i].StartsWith("--format=", StringComparison.Ordinal))
            {
                format = args[i]["--format=".Length..];
            }
        }

        return format is "env" or "json" or "credential-process";
    }

    // Where in this test assembly the finding was made (method names only): the nearest frames of the current stack that
    // belong to it, which name the test or its helper. Async continuations may have none.
    private static string TestFrames()
    {
        var frames = new StackTrace(skipFrames: 2, fNeedFileInfo: false).GetFrames()
            .Select(frame => frame.GetMethod())
            .Where(method => method?.DeclaringType is { } type && type.Assembly == typeof(LeakGuard).Assembly && type != typeof(LeakGuard)
                && !(type.DeclaringType == typeof(LeakGuard)))
            .Select(method => method!.DeclaringType!.FullName + "." + method.Name)
            .Distinct()
            .Take(3)
            .ToList();
        return frames.Count == 0 ? "at (no frame of this assembly on the stack)" : "at " + string.Join(" < ", frames);
    }

    private static string? Allowed(Exception exception)
    {
        var type = exception.GetType().FullName ?? string.Empty;
        var thrower = exception.TargetSite?.DeclaringType?.FullName ?? string.Empty;
        foreach (var (exceptionNamespace, throwerNamespace, reason) in AllowedFirstChance)
        {
            if (type.StartsWith(exceptionNamespace, StringComparison.Ordinal) && thrower.StartsWith(throwerNamespace, StringComparison.Ordinal))
            {
                return reason;
            }
        }

        return null;
    }

    private static string Thrower(Exception exception)
    {
        var method = exception.TargetSite;
        return method is null ? string.Empty : " thrown in " + method.DeclaringType?.FullName + "." + method.Name;
    }

    private static string? Text(object? value) => value switch
    {
        null => null,
        string text => text,
        IFormattable formattable => formattable.ToString(null, CultureInfo.InvariantCulture),
        IEnumerable<string> texts => string.Join('\n', texts),
        _ => value.ToString(),
    };

    // A Data key is named in the report only when it is a short plain name (it is checked for secrets first).
    private static string Describe(object key) =>
        key is string { Length: <= 64 } name && SecretLedger.FindLeak(name) is null ? name : key.GetType().Name;

    private static string FindDefaultPath()
    {
        if (Environment.GetEnvironmentVariable("OIDCTOKEN_LEAKS_FILE") is { Length: > 0 } configured)
        {
            return Path.GetFullPath(configured);
        }

        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "OidcToken.sln")))
            {
                return Path.Combine(directory.FullName, "artifacts", "leaks.txt");
            }
        }

        return Path.Combine(AppContext.BaseDirectory, "artifacts", "leaks.txt");
    }

    private sealed class Restore(Action restore) : IDisposable
    {
        public void Dispose() => restore();
    }
}
