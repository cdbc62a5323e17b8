"""Where inbound mail arrives: an SMTP listener and an IMAP poller, both storing into the inbox."""
