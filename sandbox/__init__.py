"""The app without a Slack workspace: the sandbox REPL (``repl``) and the local Slack it talks to
(``slack``), which the tests use as Slack's side too."""
