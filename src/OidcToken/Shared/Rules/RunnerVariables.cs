namespace OidcToken.Rules;

/// <summary>The names of the variables a GitHub runner sets for a job granted <c>id-token: write</c>.</summary>
internal static class RunnerVariables
{
    internal const string RequestUrl = "ACTIONS_ID_TOKEN_REQUEST_URL";
    internal const string RequestToken = "ACTIONS_ID_TOKEN_REQUEST_TOKEN";
}
