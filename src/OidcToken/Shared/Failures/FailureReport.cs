using System.Globalization;
using System.Text;
using static OidcToken.Text.Durations;

namespace OidcToken.Failures;

/// <summary>
/// The one builder of failure text for every part (token endpoint, HTTP exchanges, AWS, Entra, Google): what happened,
/// the fix, then the facts in parentheses — the part's own (endpoint, audience, claims…), then attempts, elapsed, last
/// status and request id — and the <see cref="OidcTokenException"/> whose <see cref="OidcTokenException.StatusCode"/>,
/// <see cref="OidcTokenException.Attempts"/>, <see cref="OidcTokenException.Elapsed"/> and
/// <see cref="OidcTokenException.RequestId"/> are the same facts. Every text given to it must already be scrubbed:
/// it adds none of its own that could hold a secret. Message text is a contract: golden tests pin it per error code.
/// </summary>
internal sealed class FailureReport
{
    private readonly OidcTokenErrorCode _code;
    private readonly StringBuilder _text;
    private readonly List<string> _leadingFacts = [];
    private readonly List<string> _trailingFacts = [];
    private string _factsSeparator = "\n";
    private int? _attempts;
    private TimeSpan? _elapsed;
    private string? _elapsedNote;
    private int? _status;
    private bool _showStatus = true;
    private string? _requestId;
    private bool _showRequestId = true;
    private Exception? _inner;
    private string? _setting;
    private string? _settingReference;

    /// <param name="code">The error code of the exception.</param>
    /// <param name="whatHappened">What happened, as one or more sentences.</param>
    public FailureReport(OidcTokenErrorCode code, string whatHappened)
    {
        _code = code;
        _text = new StringBuilder(whatHappened);
    }

    /// <summary>The error code.</summary>
    public OidcTokenErrorCode Code => _code;

    /// <summary>Adds the fix on a line of its own; <paramref name="fix"/> is shown as given (it normally starts with "Fix: ").</summary>
    public FailureReport Fix(string fix)
    {
        _text.Append('\n').Append(fix);
        return this;
    }

    /// <summary>Puts the facts after the text on the same line (a space) instead of a line of their own.</summary>
    public FailureReport FactsInline()
    {
        _factsSeparator = " ";
        return this;
    }

    /// <summary>A fact shown before the attempts, as <c>label: value</c> (or <paramref name="label"/> alone when <paramref name="value"/> is null).</summary>
    public FailureReport Fact(string label, string? value = null)
    {
        _leadingFacts.Add(value is null ? label : label + ": " + value);
        return this;
    }

    /// <summary>A fact shown after the request id, as <c>label: value</c>; nothing when <paramref name="value"/> is null.</summary>
    public FailureReport TrailingFact(string label, string? value)
    {
        if (value is not null)
        {
            _trailingFacts.Add(label + ": " + value);
        }

        return this;
    }

    /// <summary>The attempts made and the time spent; <paramref name="note"/> follows them (e.g. that the deadline ran out).</summary>
    public FailureReport Attempts(int attempts, TimeSpan elapsed, string? note = null)
    {
        _attempts = attempts;
        _elapsed = elapsed;
        _elapsedNote = note;
        return this;
    }

    /// <summary>The last HTTP status; <paramref name="shown"/> false sets only the exception's property.</summary>
    public FailureReport Status(int? status, bool shown = true)
    {
        _status = status;
        _showStatus = shown;
        return this;
    }

    /// <summary>The server's request id (already checked or scrubbed); <paramref name="shown"/> false sets only the exception's property.</summary>
    public FailureReport RequestId(string? requestId, bool shown = true)
    {
        _requestId = string.IsNullOrEmpty(requestId) ? null : requestId;
        _showRequestId = shown;
        return this;
    }

    /// <summary>The exception that caused the failure, the inner exception of <see cref="ToException"/> unless it names another.</summary>
    public FailureReport CausedBy(Exception? inner)
    {
        _inner = inner;
        return this;
    }

    /// <summary>
    /// The option that would fix the failure (its property name, e.g. <c>Deadline</c>) and the exact text of the message
    /// that names it, so a command line can say it with its own flag (<see cref="OidcTokenException.Setting"/>).
    /// </summary>
    public FailureReport Setting(string? setting, string? reference)
    {
        _setting = setting;
        _settingReference = setting is null ? null : reference;
        return this;
    }

    /// <summary>The full message: the text, then the facts in parentheses (none when there are no facts).</summary>
    public string Message
    {
        get
        {
            var facts = new List<string>(_leadingFacts);
            if (_attempts is { } attempts)
            {
                var elapsed = string.Create(CultureInfo.InvariantCulture, $"attempts: {attempts}; elapsed: {Seconds(_elapsed!.Value)}");
                facts.Add(_elapsedNote is null ? elapsed : elapsed + "; " + _elapsedNote);
            }

            if (_showStatus && _status is { } status)
            {
                facts.Add("last status: " + status.ToString(CultureInfo.InvariantCulture));
            }

            if (_showRequestId && _requestId is { } requestId)
            {
                facts.Add("request id: " + requestId);
            }

            facts.AddRange(_trailingFacts);
            return facts.Count == 0 ? _text.ToString() : _text + _factsSeparator + "(" + string.Join("; ", facts) + ")";
        }
    }

    /// <summary>The exception: the code, the message, and the facts as properties.</summary>
    public OidcTokenException ToException(Exception? inner = null) =>
        new(_code, Message, inner ?? _inner)
        {
            StatusCode = _status,
            Attempts = _attempts ?? 0,
            Elapsed = _elapsed ?? TimeSpan.Zero,
            RequestId = _requestId,
            Setting = _setting,
            SettingReference = _settingReference,
        };
}
