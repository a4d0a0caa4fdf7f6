using OidcToken.Cli;

return await OidcTokenCommand.RunAsync(args).ConfigureAwait(false);
