// Filled in by the mock issuer work (issue 2): runs MockGitHubOidcIssuer from a shell.
return 0;
