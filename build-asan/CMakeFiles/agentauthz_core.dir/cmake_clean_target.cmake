file(REMOVE_RECURSE
  "libagentauthz_core.a"
)
