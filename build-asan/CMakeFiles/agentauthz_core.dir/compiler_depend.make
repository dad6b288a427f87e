# Empty compiler generated dependencies file for agentauthz_core.
# This may be replaced when dependencies are built.
