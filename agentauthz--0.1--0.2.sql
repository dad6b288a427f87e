-- agentauthz 0.1 -> 0.2: the security release. Privileged code runs in one
-- way (the extension owner's rights inside a security-restricted operation,
-- search_path pinned, operators qualified); roles reach the extension's
-- tables only through its functions; protected tables stay closed to
-- agents whatever happens to the extension.
\echo Use "ALTER EXTENSION agentauthz UPDATE TO '0.2'" to load this file. \quit
