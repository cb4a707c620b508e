"""Page patterns."""

from __future__ import annotations

import pytest

from knowledge import match_page


@pytest.mark.parametrize(
    ("pattern", "url"),
    [
        ("/checkout/*", "/checkout/payment-failed"),
        ("/checkout/*", "/checkout/payment-failed/"),
        ("/checkout/*", "https://shop.example/checkout/payment-failed?step=2#top"),
        ("/checkout/*", "/checkout/payment-failed?x=1"),
        ("/returns", "/returns"),
        ("/returns", "/returns/"),
        ("/returns/", "/returns"),
        ("/returns", "https://shop.example/returns#form"),
        ("/orders/**", "/orders/123/items/4"),
        ("/orders/*/items", "/orders/123/items"),
        ("/help/*.html", "/help/payment.html"),
        ("/søk", "/s%C3%B8k"),
        ("/", "https://shop.example"),
        ("/", "https://shop.example/?q=1"),
        ("https://shop.example/help/*", "https://shop.example/help/payment"),
        ("https://shop.example/help/*", "https://SHOP.example/help/payment?x#y"),
        ("https://*.shop.example/*", "https://www.shop.example/cart"),
    ],
)
def test_matches(pattern: str, url: str) -> None:
    assert match_page(pattern, url)


@pytest.mark.parametrize(
    ("pattern", "url"),
    [
        ("/checkout/*", "/checkout"),
        ("/checkout/*", "/checkout/"),
        ("/checkout/*", "/checkout/a/b"),
        ("/checkout/*", "/checkoutx/a"),
        ("/returns", "/returns/new"),
        ("/Returns", "/returns"),
        ("/orders/*/items", "/orders/1/2/items"),
        ("https://shop.example/help/*", "/help/payment"),
        ("https://shop.example/help/*", "https://other.example/help/payment"),
        ("https://shop.example/help/*", "http://shop.example/help/payment"),
        ("/help/a.b", "/help/aXb"),
        ("checkout/*", "/checkout/x"),
    ],
)
def test_does_not_match(pattern: str, url: str) -> None:
    assert not match_page(pattern, url)
