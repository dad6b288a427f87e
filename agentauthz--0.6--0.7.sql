-- agentauthz 0.6 -> 0.7: the shared cache's statistics.
\echo Use "ALTER EXTENSION agentauthz UPDATE TO '0.7'" to load this file. \quit

CREATE FUNCTION agentauthz.shared_cache_stats(OUT size_bytes bigint, OUT entries_written bigint,
                                              OUT tuples_written bigint, OUT bytes_written bigint,
                                              OUT hits bigint, OUT misses bigint)
    RETURNS record
    LANGUAGE c STRICT VOLATILE PARALLEL RESTRICTED
    AS 'MODULE_PATHNAME', 'agentauthz_shared_cache_stats';
COMMENT ON FUNCTION agentauthz.shared_cache_stats() IS
  'The shared cache of tuples read (agentauthz.shared_cache_size): its shared memory in bytes (0 when it is off: the library is not preloaded or the size is 0), the entries, the tuples they hold (a lookup that found none counts one) and the bytes written to it since the server started by every database (new entries overwrite the oldest; NULL unless the caller has the privileges of pg_read_all_stats), and this backend''s hits and misses. For agentauthz_admin.';
REVOKE ALL ON FUNCTION agentauthz.shared_cache_stats() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION agentauthz.shared_cache_stats() TO agentauthz_admin;
