-- Helpers shared by the other test files (they run in this database after
-- this one). regress.try() runs a statement and reports its result, or the
-- SQLSTATE and message of the error it raised, so expected outputs show both.
CREATE SCHEMA IF NOT EXISTS regress;
CREATE OR REPLACE FUNCTION regress.try(statement text) RETURNS text
LANGUAGE plpgsql AS $$
DECLARE
  result text;
BEGIN
  IF statement ~* '^\s*(select|with)\s' THEN
    EXECUTE statement INTO result;
    RETURN coalesce(result, 'null');
  END IF;
  EXECUTE statement;
  RETURN 'ok';
EXCEPTION WHEN OTHERS THEN
  RETURN SQLSTATE || ': ' || SQLERRM;
END
$$;
GRANT USAGE ON SCHEMA regress TO PUBLIC;
SELECT regress.try('SELECT 1 / 0'), regress.try('SELECT 42'), regress.try('SET work_mem = ''4MB''');
