using System.Text.Json;
using OidcToken.Rules;

namespace OidcToken.RunnerContext;

/// <summary>
/// A snapshot of what the runner (or its absence) tells this process: the two token variables and the
/// context needed to explain why they are missing. Reads variables, the event file and container
/// markers only; no network I/O.
/// </summary>
internal sealed class RunnerEnvironment
{
    /// <summary>GitHub's event payloads are far below this; anything bigger is not read.</summary>
    private const long MaxEventFileBytes = 32 * 1024 * 1024;

    private RunnerEnvironment()
    {
    }

    public string? RequestUrl { get; private init; }
    public string? RequestToken { get; private init; }
    public bool IsGitHubActions { get; private init; }
    public bool IsAct { get; private init; }
    public bool IsContainer { get; private init; }
    public string? ContainerMarker { get; private init; }
    public string? EventName { get; private init; }
    public string? Actor { get; private init; }
    public string? Repository { get; private init; }
    public string? ServerUrl { get; private init; }
    public string? RunnerEnvironmentName { get; private init; }
    public string? WorkflowRef { get; private init; }

    /// <summary>True when the event payload says the pull request's head repository is a fork.</summary>
    public bool IsForkPullRequest { get; private init; }

    /// <summary>The head repository of a fork pull request, when known.</summary>
    public string? ForkRepository { get; private init; }

    /// <summary>Why the event file could not be read, when it was named but unreadable.</summary>
    public string? EventFileProblem { get; private init; }

    /// <summary>The issuer this job's tokens carry (<see cref="GitHubIssuers.ForJob"/>), with its kind; null when <c>GITHUB_SERVER_URL</c> is not a URL.</summary>
    public (string Issuer, GitHubIssuers.Kind Kind)? Issuer { get; private init; }

    public static RunnerEnvironment Read(Func<string, string?> variables, Func<string, bool>? fileExists = null)
    {
        ArgumentNullException.ThrowIfNull(variables);
        fileExists ??= File.Exists;

        var eventName = NullIfEmpty(variables("GITHUB_EVENT_NAME"));
        var isFork = false;
        string? forkRepository = null;
        string? eventProblem = null;
        if (eventName is "pull_request" or "pull_request_review" or "pull_request_review_comment")
        {
            var eventPath = NullIfEmpty(variables("GITHUB_EVENT_PATH"));
            if (eventPath is not null)
            {
                (isFork, forkRepository, eventProblem) = ReadForkFlag(eventPath);
            }
        }

        string? marker = null;
        if (fileExists("/.dockerenv"))
        {
            marker = "/.dockerenv";
        }
        else if (fileExists("/run/.containerenv"))
        {
            marker = "/run/.containerenv";
        }
        else if (NullIfEmpty(variables("container")) is { } containerVariable)
        {
            marker = "container=" + containerVariable;
        }
        else if (NullIfEmpty(variables("KUBERNETES_SERVICE_HOST")) is not null)
        {
            marker = "KUBERNETES_SERVICE_HOST";
        }

        return new RunnerEnvironment
        {
            RequestUrl = NullIfEmpty(variables(RunnerVariables.RequestUrl)),
            RequestToken = NullIfEmpty(variables(RunnerVariables.RequestToken)),
            IsGitHubActions = string.Equals(variables("GITHUB_ACTIONS"), "true", StringComparison.OrdinalIgnoreCase),
            IsAct = !string.IsNullOrEmpty(variables("ACT")),
            IsContainer = marker is not null,
            ContainerMarker = marker,
            EventName = eventName,
            Actor = NullIfEmpty(variables("GITHUB_ACTOR")),
            Repository = NullIfEmpty(variables("GITHUB_REPOSITORY")),
            ServerUrl = NullIfEmpty(variables("GITHUB_SERVER_URL")),
            RunnerEnvironmentName = NullIfEmpty(variables("RUNNER_ENVIRONMENT")),
            WorkflowRef = NullIfEmpty(variables("GITHUB_WORKFLOW_REF")),
            IsForkPullRequest = isFork,
            ForkRepository = forkRepository,
            EventFileProblem = eventProblem,
            Issuer = GitHubIssuers.ClassifyJob(variables),
        };
    }

    /// <summary>True when the run was started by Dependabot, which GitHub treats like a fork.</summary>
    public bool IsDependabot =>
        string.Equals(Actor, "dependabot[bot]", StringComparison.OrdinalIgnoreCase);

    private static (bool IsFork, string? ForkRepository, string? Problem) ReadForkFlag(string eventPath)
    {
        try
        {
            var info = new FileInfo(eventPath);
            if (!info.Exists)
            {
                return (false, null, "GITHUB_EVENT_PATH names a file that does not exist");
            }

            if (info.Length > MaxEventFileBytes)
            {
                return (false, null, "the event file is larger than 32 MiB and was not read");
            }

            // The runner writes a regular file with content. Pipes, devices and pseudo-files report a length of 0: opening a
            // FIFO with no writer blocks for ever, and /dev/zero never ends, so none of them is opened.
            if (info.Length == 0)
            {
                return (false, null, "the event file is empty or not a regular file (a pipe or a device) and was not read");
            }

            // A file that grows after the length check above still stops at the cap.
            using var stream = info.OpenRead();
            if (ReadCapped(stream, MaxEventFileBytes) is not { } content)
            {
                return (false, null, "the event file is larger than 32 MiB and was not read");
            }

            using var document = JsonDocument.Parse(content, new JsonDocumentOptions { MaxDepth = 64 });
            if (document.RootElement.ValueKind != JsonValueKind.Object
                || !document.RootElement.TryGetProperty("pull_request", out var pullRequest)
                || pullRequest.ValueKind != JsonValueKind.Object)
            {
                return (false, null, null);
            }

            string? headName = null;
            string? baseName = null;
            var headFork = false;
            if (pullRequest.TryGetProperty("head", out var head) && head.ValueKind == JsonValueKind.Object
                && head.TryGetProperty("repo", out var headRepo) && headRepo.ValueKind == JsonValueKind.Object)
            {
                headFork = headRepo.TryGetProperty("fork", out var fork) && fork.ValueKind == JsonValueKind.True;
                headName = GetString(headRepo, "full_name");
            }

            if (pullRequest.TryGetProperty("base", out var @base) && @base.ValueKind == JsonValueKind.Object
                && @base.TryGetProperty("repo", out var baseRepo) && baseRepo.ValueKind == JsonValueKind.Object)
            {
                baseName = GetString(baseRepo, "full_name");
            }

            var differentRepo = headName is not null && baseName is not null
                && !string.Equals(headName, baseName, StringComparison.OrdinalIgnoreCase);
            return (headFork || differentRepo, headName, null);
        }
        // ArgumentException: a path with a NUL character (FileInfo refuses it).
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or JsonException or InvalidOperationException or ArgumentException)
        {
            return (false, null, "the event file could not be read (" + ex.GetType().Name + ")");
        }
    }

    /// <summary>The whole stream, or null when it holds more than <paramref name="max"/> bytes (reading stops there).</summary>
    private static ReadOnlyMemory<byte>? ReadCapped(Stream stream, long max)
    {
        using var buffer = new MemoryStream();
        var chunk = new byte[81920];
        int read;
        while ((read = stream.Read(chunk, 0, chunk.Length)) > 0)
        {
            if (buffer.Length + read > max)
            {
                return null;
            }

            buffer.Write(chunk, 0, read);
        }

        return buffer.GetBuffer().AsMemory(0, (int)buffer.Length);
    }

    private static string? GetString(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    private static string? NullIfEmpty(string? value) => string.IsNullOrEmpty(value) ? null : value;
}
