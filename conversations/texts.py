"""What the server itself says to visitors, in the six languages."""

from __future__ import annotations

__all__ = ["HUMAN_REQUEST", "HUMAN_WILL_ANSWER"]

# Sent once to a message that arrives while the conversation waits for a person.
HUMAN_WILL_ANSWER = {
    "nb": "Takk! En av oss svarer deg her så snart vi kan.",
    "nn": "Takk! Ein av oss svarar deg her så snart vi kan.",
    "sv": "Tack! Någon av oss svarar dig här så snart vi kan.",
    "da": "Tak! En af os svarer dig her, så snart vi kan.",
    "fi": "Kiitos! Joku meistä vastaa sinulle tässä niin pian kuin mahdollista.",
    "en": "Thank you! One of us will answer you here as soon as we can.",
}

# The visitor's own message when they click "talk to a person".
HUMAN_REQUEST = {
    "nb": "Jeg vil gjerne snakke med en person.",
    "nn": "Eg vil gjerne snakke med ein person.",
    "sv": "Jag vill gärna prata med en person.",
    "da": "Jeg vil gerne tale med en person.",
    "fi": "Haluaisin puhua ihmisen kanssa.",
    "en": "I'd like to talk to a person.",
}
