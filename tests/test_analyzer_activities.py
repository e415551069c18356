"""Activity labels: one step gets one label whatever the masker did to the numbers in it."""

from __future__ import annotations

from pathlib import Path

import pytest

from tasklens.analyzer.activities import generalise_parts, label_all, target_template, template
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


CRM = "Orders - CRM - https://crm.example.com/orders?customer=<URL_QUERY> - Mozilla Firefox"
FIND = 'document web "Orders - CRM" https://crm.example.com/orders?customer=<URL_QUERY> > form "Find orders"'


def _labels(rows: list[tuple[str, str, str, str]], action: Action = Action.CLICK) -> list[str]:
    """The label of each (app, title, target, element path) as clicks, in order."""
    events = [Event(float(i), "u", app, title, action, target, "", 0.0, 0, i, element_path=path)
              for i, (app, title, target, path) in enumerate(rows)]
    acts, names = label_all(events)
    return [names[a] for a in acts.tolist()]


def test_an_element_is_labelled_by_its_role_its_name_and_what_holds_it() -> None:
    label, = _labels([("firefox", CRM, 'push button "Search"', FIND)])
    assert label == f'firefox | click | push button "Search" in form "Find orders" | {template(CRM)}'


def test_one_field_name_in_two_parts_of_a_form_is_two_steps() -> None:
    title = "Customer - CRM"
    billing, shipping, billing_again = _labels(
        [("crm", title, 'text "Street"', f'page tab "Address" > panel "{part} address"')
         for part in ("Billing", "Shipping", "Billing")], Action.TYPE)
    assert billing == billing_again and billing != shipping
    assert billing == f'crm | type | text "Street" in panel "Billing address" | {title}'


def test_on_a_web_page_the_page_address_without_ids_and_query_values_is_the_context() -> None:
    one, other = (_labels([("chromium", "Order - CRM", 'page tab "Status"',
                            f'document web "Order {n} - CRM" https://crm.example.com/orders/{n}?tab=status')])[0]
                  for n in ("482913", "<PHONE_NUMBER>"))
    assert one == other and 'page tab "Status" in https://crm.example.com/orders/#?tab=* |' in one


def test_element_names_with_a_colon_or_a_masked_number_keep_their_step() -> None:
    plain, masked = _labels([("sapgui", "SAP", 'text "Company code: 1000"', 'page tab "Basic data"'),
                             ("sapgui", "SAP", 'text "Company code: <PHONE_NUMBER>"', 'page tab "Basic data"')],
                            Action.TYPE)
    assert plain == masked and 'text "Company code: #" in page tab "Basic data"' in plain


def test_record_names_in_a_list_are_one_step_control_names_stay_apart() -> None:
    inbox = [("thunderbird", "Inbox - Mozilla Thunderbird", f'list item "Invoice {100 + i} from {c}"',
              'tree table "Messages"') for i, c in enumerate(["Acme GmbH", "Globex Ltd", "Initech BV", "Umbrella SA"])]
    buttons = [("thunderbird", "Inbox - Mozilla Thunderbird", f'push button "{b}"', 'tool bar "Mail"')
               for b in ("Get Messages", "Write", "Chat", "Address Book", "Tag", "Quick Filter")]
    labels = _labels(inbox + buttons)
    assert len(set(labels[:4])) == 1 and 'list item "Invoice # from *" in tree table "Messages"' in labels[0]
    assert len(set(labels[4:])) == 6


def test_positions_and_keys_are_labelled_as_before() -> None:
    click, key = _labels([("firefox", CRM, "left", ""), ("firefox", CRM, "enter", "")])
    assert click == f"firefox | click | left | {template(CRM)}" and key.startswith("firefox | click | enter |")


def test_a_stores_element_paths_reach_the_labels(store_path: Path) -> None:
    """Through the real encrypted store and the analyzer's loader: the path is not lost on the way."""
    from tasklens.analyzer.loaders import store_events
    from tasklens.store import Store
    with Store.open(store_path) as store:
        store.append([Event(1.0, "u", "firefox", CRM, Action.CLICK, 'push button "Search"', "", element_path=FIND)])
        events = store_events(store)
    _, names = label_all(events)
    assert names == [f'firefox | click | push button "Search" in form "Find orders" | {template(CRM)}']


def test_company_names_joined_by_an_ampersand_are_generalised_with_the_rest() -> None:
    """A sender's company is a variable part whether or not its name holds "&" ("Kern & Sohn GmbH")."""
    companies = ["Acme GmbH", "Globex Ltd", "Initech BV", "Kern & Sohn GmbH", "Procter & Gamble", "AT&T Inc",
                 "Umbrella SA"]
    titles = [("outlook", f"Invoice # from {c} - Outlook") for c in companies]
    assert set(generalise_parts(titles).values()) == {"Invoice # from * - Outlook"}
