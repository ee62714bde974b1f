"""EMAIL_ADDRESS: a person's mailbox. Role mailboxes of an office are not personal data."""

from __future__ import annotations

import re

from govscan.pii.recognizers.base import PatternDef, Recognizer

# Not after "*" either: "a***v@mail.ru" is a masked address, not "v@mail.ru".
EMAIL = r"[A-Za-z0-9](?<![\w.+*-][A-Za-z0-9])[A-Za-z0-9._%+-]{0,63}@(?:[A-Za-z0-9-]{1,63}\.)+[A-Za-z]{2,24}(?![\w-])"

# Shared mailboxes of an organisation (reception, chancellery, press office): publishing them is
# the point, and they identify no one. Checked against the part before "@", split on . _ -.
ROLE_MAILBOXES = frozenset(
    """
    info information priemnaya priem priemnaia kanc kancelyariya kantselyariya canc chancellery
    office admin administrator support help helpdesk press pressa presssluzhba media secretary
    hr kadry mail post postmaster noreply no-reply donotreply contact contacts feedback
    obrashcheniya obrashenie akimat akimat_ reception hotline sales webmaster abuse security
    kense kence kanselyariya kancelyaria kantselyaria qabyldau kabyldau baspasoz press-sluzhba
    smi pr noreply no_reply do-not-reply do_not_reply donotreply robot bot gateway mailer-daemon
    mailerdaemon daemon bounce bounces notify notification notifications alert alerts system
    autoreply auto-reply egov portal call-center callcenter call-centr akimdik akimdigi akimshilik
    priyemnaya priemnaja kanselyarya
    """.split()
)


class EmailRecognizer(Recognizer):
    entity = "EMAIL_ADDRESS"
    name = "email"
    trigger = "@"
    own_in_clause = True
    patterns = (PatternDef("email", EMAIL, 0.5),)

    def validate(self, text: str) -> bool | None:
        local, _, domain = text.rpartition("@")
        if ".." in text or local.endswith(".") or domain.startswith("-"):
            return False
        words = re.split(r"[._-]+", local.lower())
        # "kanc.akimat.almaty@", "press.sluzhba.mvd@": a role word first makes the whole box a role's.
        if local.lower() in ROLE_MAILBOXES or (words and words[0] in ROLE_MAILBOXES):
            return False
        return True

    def normalize(self, text: str) -> str:
        return text.strip().lower()

    def mask(self, text: str) -> str:
        local, _, domain = self.normalize(text).rpartition("@")
        return (local[:2] + "***" if len(local) > 2 else "***") + "@" + domain
