"""The words every screen uses for the same thing: the CLI, the HTML report, the dashboard and the admin report.

A reader who meets "Hours seen" in one place, "h observed" in another and "users" beside "Employees" must
wonder whether these are different figures. They are not, so they are named once, here. Hours saved carry
their scope in the name, because a team's figure and one full-time employee's differ by the team's size.
"""

from __future__ import annotations

PERSON = "employee"                   # a person whose events were analysed (shown as a pseudonym)
PEOPLE = "employees"                  # never "users": the same people are "Employees" in the dashboard
HOURS_OBSERVED = "h observed"         # hours inside task instances, in the data as recorded (the unit, h,
                                      # stays lower-case in headings too)
HOURS_SAVED_TEAM = "h/month saved, team"        # report.json hours_saved_per_month_team (21 working days)
HOURS_SAVED_FTE = "h/month saved, per FTE"      # report.json hours_saved_per_month_per_fte


def plural(n: int, singular: str, plural_form: str | None = None) -> str:
    """`1 employee`, `2 employees`, `1,024 task instances`: a count with its noun in the right number."""
    return f"{n:,} {singular if n == 1 else plural_form or singular + 's'}"



# The admin report's metric keys (its CSV keeps them) as column headings on its HTML and PDF pages.
HEADINGS = {"hours_observed": HOURS_OBSERVED, "hours_saved_per_month": HOURS_SAVED_TEAM,
            "active_hours": "active hours", "median_minutes": "median min"}


def heading(key: str) -> str:
    """A metric key as a heading: the glossary's word, else the key with spaces (`events`, `rank`)."""
    return HEADINGS.get(key, key.replace("_", " "))
