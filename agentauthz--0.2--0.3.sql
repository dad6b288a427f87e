-- agentauthz 0.2 -> 0.3: the integrity release. What an agent did stays on
-- record (or its statement fails), tokens stay out of the server's logs,
-- one statement's memory is bounded, and every admin function does exactly
-- what it says.
\echo Use "ALTER EXTENSION agentauthz UPDATE TO '0.3'" to load this file. \quit
