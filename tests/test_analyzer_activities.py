"""Activity labels: one step gets one label whatever the masker did to the numbers in it."""

from __future__ import annotations

import pytest

from tasklens.analyzer.activities import label_all, target_template, template
from tasklens.events import Action, Event

SAME = [
    ("Where is my order 239567?", "Where is my order <PHONE_NUMBER>?"),
    ("Ref239567 - CRM", "Ref<PHONE_NUMBER> - CRM"),
    ("Invoice 4411 from <EMAIL_ADDRESS>", "Invoice <PHONE_NUMBER> from <<EMAIL_ADDRESS>>"),
    ("Payment 4111111111111111 - Bank", "Payment <CREDIT_CARD> - Bank"),
    ("Customer C12345 - CRM", "Customer <CUSTOMER_ID> - CRM"),
    ("https://crm.example.com/order/239567?q=1", "https://crm.example.com/order/<PHONE_NUMBER>?q=<URL_QUERY>"),
]
DIFFERENT = [
    ("Mail from <PERSON>", "Mail from <EMAIL_ADDRESS>"),     # word placeholders are structure
    ("Enter Vendor Invoice - SAP", "Display Vendor - SAP"),
]


@pytest.mark.parametrize(("plain", "masked"), SAME)
def test_a_masked_number_gets_the_template_of_the_number(plain: str, masked: str) -> None:
    assert template(plain) == template(masked)


@pytest.mark.parametrize(("one", "other"), DIFFERENT)
def test_different_steps_keep_different_templates(one: str, other: str) -> None:
    assert template(one) != template(other)


@pytest.mark.parametrize(("plain", "masked"), [("field:239567", "field:<PHONE_NUMBER>"),
                                               ("cell:A239567", "cell:A<PHONE_NUMBER>")])
def test_targets_too(plain: str, masked: str) -> None:
    assert target_template(plain) == target_template(masked)


def test_one_label_for_titles_masked_or_not() -> None:
    titles = [f"Where is my order {n}? - Outlook" for n in (239567, 771020)] + \
             ["Where is my order <PHONE_NUMBER>? - Outlook"] * 2
    events = [Event(float(i), "u", "outlook", t, Action.FOCUS, "", "", 0.0, 0, i) for i, t in enumerate(titles)]
    acts, names = label_all(events)
    assert len(set(acts.tolist())) == 1 and names == ["outlook | focus | Where is my order #? - Outlook"]
