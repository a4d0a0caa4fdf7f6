using OidcToken.MockIssuer;

return await MockIssuerCommand.RunAsync(args, Console.Out, Console.Error).ConfigureAwait(false);
