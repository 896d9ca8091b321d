"""Out by e-mail: the month's workbooks as drafts (``.eml``) to each rep and team leader,
and, when asked, sent through the SMTP server of 設定.  This room sits after write: it
builds (``write.build``) and then mails."""
