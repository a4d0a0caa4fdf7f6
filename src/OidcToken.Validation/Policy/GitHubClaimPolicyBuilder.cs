namespace OidcToken.Validation;

/// <summary>Builds a <see cref="GitHubClaimPolicy"/> fluently; every method returns this builder. <see cref="Build"/> reports every problem at once.</summary>
public sealed class GitHubClaimPolicyBuilder
{
    private readonly List<GitHubOidcSettingProblem> _problems = [];
    private readonly List<string> _allowedEvents = [];
    private readonly List<string> _deniedEvents = [];
    private readonly List<string> _subjects = [];
    private string? _repository;
    private string? _repositoryId;
    private string? _owner;
    private string? _ownerId;
    private string? _ref;
    private string? _environment;
    private string? _jobWorkflowRef;
    private string? _workflowRef;
    private string? _runnerEnvironment;
    private bool _allowAnyRepository;
    private bool _requireProtectedRef;

    internal GitHubClaimPolicyBuilder()
    {
    }

    /// <summary><c>repository</c> must equal <paramref name="ownerSlashRepo"/> (case-insensitive).</summary>
    /// <param name="ownerSlashRepo">The repository as <c>owner/name</c>.</param>
    /// <returns>This builder.</returns>
    public GitHubClaimPolicyBuilder Repository(string ownerSlashRepo) => Set(ref _repository, ownerSlashRepo, nameof(Repository), nameof(ownerSlashRepo));

    /// <summary><c>repository_id</c> must equal <paramref name="id"/> exactly. Prefer this to the name: it survives renames and cannot be re-registered.</summary>
    /// <param name="id">The numeric repository id (digits only).</param>
    /// <returns>This builder.</returns>
    public GitHubClaimPolicyBuilder RepositoryId(string id) => Set(ref _repositoryId, id, nameof(RepositoryId), nameof(id));

    /// <summary><c>repository_owner</c> must equal <paramref name="owner"/> (case-insensitive).</summary>
    /// <param name="owner">The owner (organization or user) name.</param>
    /// <returns>This builder.</returns>
    public GitHubClaimPolicyBuilder Owner(string owner) => Set(ref _owner, owner, nameof(Owner), nameof(owner));

    /// <summary><c>repository_owner_id</c> must equal <paramref name="id"/> exactly. Prefer this to the name: it survives renames and cannot be re-registered.</summary>
    /// <param name="id">The numeric owner id (digits only).</param>
    /// <returns>This builder.</returns>
    public GitHubClaimPolicyBuilder OwnerId(string id) => Set(ref _ownerId, id, nameof(OwnerId), nameof(id));

    /// <summary>Opts out, by name, of the requirement that a policy has at least one numeric-id rule (<see cref="RepositoryId"/> or <see cref="OwnerId"/>).</summary>
    /// <returns>This builder.</returns>
    public GitHubClaimPolicyBuilder AllowAnyRepository() => Do(() => _allowAnyRepository = true);

    /// <summary><c>ref</c> must equal <paramref name="gitRef"/> exactly.</summary>
    /// <param name="gitRef">The full ref, e.g. <c>refs/heads/main</c> or <c>refs/tags/v1.0.0</c>.</param>
    /// <returns>This builder.</returns>
    public GitHubClaimPolicyBuilder Ref(string gitRef) => Set(ref _ref, gitRef, nameof(Ref), nameof(gitRef));

    /// <summary><c>ref_protected</c> must be <c>true</c>.</summary>
    /// <returns>This builder.</returns>
    public GitHubClaimPolicyBuilder RequireProtectedRef() => Do(() => _requireProtectedRef = true);

    /// <summary><c>environment</c> must equal <paramref name="name"/> (case-insensitive); a token without the claim fails.</summary>
    /// <param name="name">The deployment environment name.</param>
    /// <returns>This builder.</returns>
    public GitHubClaimPolicyBuilder Environment(string name) => Set(ref _environment, name, nameof(Environment), nameof(name));

    /// <summary><c>event_name</c> must be one of <paramref name="names"/>. Several calls add to the list.</summary>
    /// <param name="names">Event names, e.g. <c>push</c>, <c>workflow_dispatch</c>.</param>
    /// <returns>This builder.</returns>
    public GitHubClaimPolicyBuilder AllowEvents(params string[] names) => AddEvents(_allowedEvents, names, nameof(AllowEvents));

    /// <summary><c>event_name</c> must not be one of <paramref name="names"/> (e.g. <c>pull_request_target</c>). Several calls add to the list.</summary>
    /// <param name="names">Event names to refuse.</param>
    /// <returns>This builder.</returns>
    public GitHubClaimPolicyBuilder DenyEvents(params string[] names) => AddEvents(_deniedEvents, names, nameof(DenyEvents));

    /// <summary><c>job_workflow_ref</c> must equal <paramref name="value"/> exactly: pins the workflow file the job ran from (the called one for reusable workflows).</summary>
    /// <param name="value">e.g. <c>octo-org/workflows/.github/workflows/deploy.yml@refs/heads/main</c>.</param>
    /// <returns>This builder.</returns>
    public GitHubClaimPolicyBuilder JobWorkflowRef(string value) => Set(ref _jobWorkflowRef, value, nameof(JobWorkflowRef), nameof(value));

    /// <summary><c>workflow_ref</c> must equal <paramref name="value"/> exactly: pins the calling workflow file.</summary>
    /// <param name="value">e.g. <c>octo-org/octo-repo/.github/workflows/ci.yml@refs/heads/main</c>.</param>
    /// <returns>This builder.</returns>
    public GitHubClaimPolicyBuilder WorkflowRef(string value) => Set(ref _workflowRef, value, nameof(WorkflowRef), nameof(value));

    /// <summary><c>runner_environment</c> must equal <paramref name="value"/>.</summary>
    /// <param name="value"><c>github-hosted</c> or <c>self-hosted</c>; anything else is refused by <see cref="Build"/>.</param>
    /// <returns>This builder.</returns>
    public GitHubClaimPolicyBuilder RunnerEnvironment(string value) => Set(ref _runnerEnvironment, value, nameof(RunnerEnvironment), nameof(value));

    /// <summary><c>sub</c> must match <paramref name="pattern"/>; several calls mean any of them. A <c>*</c> stands only for one whole segment (between <c>:</c> or <c>/</c>), e.g. <c>repo:octo-org/*:environment:prod</c>; a final <c>*</c> may span <c>/</c> and <c>:</c>; a partial-segment star such as <c>repo:octo*</c> is refused by <see cref="Build"/>. Owner and repository segments given without ids also match the immutable <c>owner@id</c>/<c>repo@id</c> forms; matching is case-sensitive except for those names.</summary>
    /// <param name="pattern">The subject pattern.</param>
    /// <returns>This builder.</returns>
    public GitHubClaimPolicyBuilder Subject(string pattern) => AddSubject(pattern);

    /// <summary>Checks the rules and creates the policy.</summary>
    /// <returns>The immutable policy.</returns>
    /// <exception cref="GitHubOidcSettingsException">
    /// Lists every problem (an <see cref="ArgumentException"/>; <see cref="GitHubOidcSettingsException.Problems"/> has them as data): bad <c>sub</c> patterns, no numeric-id rule without <see cref="AllowAnyRepository"/>, an event both
    /// allowed and denied, a runner environment other than <c>github-hosted</c>/<c>self-hosted</c>, empty values, non-digit ids.
    /// </exception>
    public GitHubClaimPolicy Build() => BuildCore();

    private GitHubClaimPolicyBuilder Set(ref string? field, string value, string rule, string paramName)
    {
        ArgumentNullException.ThrowIfNull(value, paramName);
        if (field is not null && !string.Equals(field, value, StringComparison.Ordinal))
        {
            _problems.Add(new(rule, $"set twice, to '{Text.Quote(field)}' and '{Text.Quote(value)}'; a token has one value, so give it once.", message: $"{rule}: set twice, to '{Text.Quote(field)}' and '{Text.Quote(value)}'; a token has one value, so call it once."));
        }

        field = value;
        return this;
    }

    private GitHubClaimPolicyBuilder Do(Action action)
    {
        action();
        return this;
    }

    private GitHubClaimPolicyBuilder AddEvents(List<string> list, string[] names, string rule)
    {
        ArgumentNullException.ThrowIfNull(names);
        if (names.Length == 0)
        {
            _problems.Add(new(rule, "no event names given; name at least one (e.g. 'push').", message: $"{rule}: called without event names; name at least one (e.g. 'push')."));
        }

        foreach (var name in names)
        {
            ArgumentNullException.ThrowIfNull(name, nameof(names));
            if (string.IsNullOrWhiteSpace(name))
            {
                _problems.Add(new(rule, "an event name is empty."));
            }
            else if (!list.Contains(name, StringComparer.Ordinal))
            {
                list.Add(name);
            }
        }

        return this;
    }

    private GitHubClaimPolicyBuilder AddSubject(string pattern)
    {
        ArgumentNullException.ThrowIfNull(pattern);
        _subjects.Add(pattern);
        return this;
    }

    private GitHubClaimPolicy BuildCore()
    {
        var problems = new List<GitHubOidcSettingProblem>(_problems);
        var rules = new List<PolicyRule>();

        if (_repository is not null)
        {
            var slash = _repository.IndexOf('/', StringComparison.Ordinal);
            if (string.IsNullOrWhiteSpace(_repository))
            {
                problems.Add(new(nameof(Repository), "the value is empty; give 'owner/name'."));
            }
            else if (slash <= 0 || slash == _repository.Length - 1 || _repository.IndexOf('/', slash + 1) >= 0 || _repository.Any(char.IsWhiteSpace))
            {
                problems.Add(new(nameof(Repository), $"'{Text.Quote(_repository)}' is not 'owner/name' (one '/', no spaces)."));
            }
            else
            {
                rules.Add(PolicyRule.Equal("repository", c => c.Repository, _repository, ignoreCase: true));
            }
        }

        AddId(_repositoryId, nameof(RepositoryId), "repository_id", c => c.RepositoryId, "gh api repos/OWNER/REPO --jq .id");
        if (_owner is not null)
        {
            if (string.IsNullOrWhiteSpace(_owner))
            {
                problems.Add(new(nameof(Owner), "the value is empty; give the organization or user name."));
            }
            else if (_owner.Contains('/', StringComparison.Ordinal))
            {
                problems.Add(new(
                    nameof(Owner),
                    $"'{Text.Quote(_owner)}' contains '/'; give only the owner name (the repository rule takes owner/name).",
                    message: $"Owner: '{Text.Quote(_owner)}' contains '/'; give only the owner name (use Repository for owner/name)."));
            }
            else
            {
                rules.Add(PolicyRule.Equal("repository_owner", c => c.RepositoryOwner, _owner, ignoreCase: true));
            }
        }

        AddId(_ownerId, nameof(OwnerId), "repository_owner_id", c => c.RepositoryOwnerId, "gh api users/OWNER --jq .id");
        AddText(_ref, nameof(Ref), "ref", c => c.Ref, ignoreCase: false);
        if (_requireProtectedRef)
        {
            rules.Add(PolicyRule.Equal("ref_protected", c => c.RefProtectedValue, "true", ignoreCase: false));
        }

        AddText(_environment, nameof(Environment), "environment", c => c.Environment, ignoreCase: true);

        foreach (var both in _allowedEvents.Intersect(_deniedEvents, StringComparer.Ordinal))
        {
            problems.Add(new(
                nameof(DenyEvents),
                $"the event '{Text.Quote(both)}' is both allowed and denied; remove it from one list.",
                message: $"AllowEvents/DenyEvents: the event '{Text.Quote(both)}' is both allowed and denied; remove it from one list."));
        }

        if (_allowedEvents.Count > 0)
        {
            var allowed = _allowedEvents.ToArray();
            var list = string.Join(", ", allowed.Select(e => "'" + e + "'"));
            rules.Add(new PolicyRule(
                $"event_name in [{list}]",
                c => c.EventName is { } e
                    ? allowed.Contains(e, StringComparer.Ordinal) ? null : $"event_name was '{Text.Quote(e)}', expected one of {list}"
                    : $"event_name was missing, expected one of {list}"));
        }

        if (_deniedEvents.Count > 0)
        {
            var denied = _deniedEvents.ToArray();
            var list = string.Join(", ", denied.Select(e => "'" + e + "'"));
            rules.Add(new PolicyRule(
                $"event_name not in [{list}]",
                c => c.EventName is { } e
                    ? denied.Contains(e, StringComparer.Ordinal) ? $"event_name was '{Text.Quote(e)}', which the policy denies (denied: {list})" : null
                    : "event_name was missing, but the policy denies some events and cannot tell"));
        }

        AddText(_jobWorkflowRef, nameof(JobWorkflowRef), "job_workflow_ref", c => c.JobWorkflowRef, ignoreCase: false);
        AddText(_workflowRef, nameof(WorkflowRef), "workflow_ref", c => c.WorkflowRef, ignoreCase: false);
        if (_runnerEnvironment is not null)
        {
            if (_runnerEnvironment is not ("github-hosted" or "self-hosted"))
            {
                problems.Add(new(nameof(RunnerEnvironment), $"'{Text.Quote(_runnerEnvironment)}' is not 'github-hosted' or 'self-hosted'."));
            }
            else
            {
                rules.Add(PolicyRule.Equal("runner_environment", c => c.RunnerEnvironment, _runnerEnvironment, ignoreCase: false));
            }
        }

        var patterns = new List<SubjectPattern>();
        foreach (var text in _subjects)
        {
            if (SubjectPattern.TryCreate(text, out var problem) is { } pattern)
            {
                patterns.Add(pattern);
            }
            else
            {
                problems.Add(new(nameof(Subject), problem!));
            }
        }

        if (patterns.Count > 0 && patterns.Count == _subjects.Count)
        {
            var compiled = patterns.ToArray();
            var list = string.Join(", ", compiled.Select(p => "'" + p.Text + "'"));
            var expected = compiled.Length == 1 ? $"expected to match {list}" : $"expected to match one of {list}";
            rules.Add(new PolicyRule(
                compiled.Length == 1 ? $"sub matches {list}" : $"sub matches one of [{list}]",
                c => c.Subject is { } sub
                    ? SubjectPattern.MatchesAny(compiled, sub) ? null : $"sub was '{Text.Quote(sub)}', {expected}"
                    : $"sub was missing, {expected}"));
        }

        if (_repositoryId is null && _ownerId is null && !_allowAnyRepository)
        {
            problems.Add(new(
                nameof(RepositoryId),
                "the policy has no numeric-id rule: pin the repository id or the owner id (names can be renamed and re-registered by someone else; ids cannot), or opt out explicitly.",
                optOutSetting: nameof(AllowAnyRepository),
                message: "The policy has no numeric-id rule: add RepositoryId(\"…\") or OwnerId(\"…\") (names can be renamed and re-registered by someone else; ids cannot), or call AllowAnyRepository() to opt out explicitly."));
        }

        if (problems.Count > 0)
        {
            throw new GitHubOidcSettingsException("The claim policy is not valid:", problems);
        }

        return new GitHubClaimPolicy([.. rules]);

        void AddId(string? value, string rule, string claim, Func<GitHubActionsClaims, string?> read, string hint)
        {
            if (value is null)
            {
                return;
            }

            if (value.Length == 0 || !value.All(char.IsAsciiDigit))
            {
                problems.Add(new(rule, $"'{Text.Quote(value)}' is not a numeric id (digits only); find it with `{hint}`."));
            }
            else
            {
                rules.Add(PolicyRule.Equal(claim, read, value, ignoreCase: false));
            }
        }

        void AddText(string? value, string rule, string claim, Func<GitHubActionsClaims, string?> read, bool ignoreCase)
        {
            if (value is null)
            {
                return;
            }

            if (string.IsNullOrWhiteSpace(value))
            {
                problems.Add(new(rule, "the value is empty."));
            }
            else
            {
                rules.Add(PolicyRule.Equal(claim, read, value, ignoreCase));
            }
        }
    }
}
