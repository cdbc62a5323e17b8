"""Email intake, the pure part: parse a raw message, classify it, thread it, read RMM alerts.

Nothing here does I/O (no SMTP, IMAP, database or Kafka); the caller fetches the bytes, asks
these modules what the message is, and acts on the answers.

- `message.parse_email`: raw bytes to an `InboundEmail` (never raises but `EmailParseError`).
- `loops.classify`: normal, auto_reply, bulk, bounce or our_own; only normal mail acts on tickets.
- `threading`: the ticket a reply answers (subject tag) and the message ids to look up.
- `rmm_patterns`: alert emails of email-only RMMs into `ParsedAlert`s by configurable patterns.
- `quoting.strip_quoted`: the new content of a reply, without the quoted history.
- `dissatisfaction.assess`: an explainable "this customer is unhappy" signal.
"""
