"""What the server itself says to visitors, in the six languages."""

from __future__ import annotations

__all__ = ["HUMAN_WILL_ANSWER"]

# Sent once to a message that arrives while the conversation waits for a person.
HUMAN_WILL_ANSWER = {
    "nb": "Takk! En av oss svarer deg her så snart vi kan.",
    "nn": "Takk! Ein av oss svarar deg her så snart vi kan.",
    "sv": "Tack! Någon av oss svarar dig här så snart vi kan.",
    "da": "Tak! En af os svarer dig her, så snart vi kan.",
    "fi": "Kiitos! Joku meistä vastaa sinulle tässä niin pian kuin mahdollista.",
    "en": "Thank you! One of us will answer you here as soon as we can.",
}
