"""A help-desk journey with the Python client that openapi-python-client
generates from openapi/openapi.json, against a running `lazo serve --demo`.

Run by .ci/openapi-check.sh (which generates the client as `lazo_client` and
puts it on PYTHONPATH). Env: LAZO_URL, e.g. http://127.0.0.1:8080.
"""

import os
import sys
import time
import uuid
from http import HTTPStatus

from lazo_client import AuthenticatedClient, Client
from lazo_client.api.auth import get_me, login
from lazo_client.api.tickets import (
    count_tickets,
    create_comment,
    create_sub_ticket,
    create_ticket,
    get_ticket,
    list_sub_tickets,
    list_ticket_history,
    list_tickets,
    update_ticket,
)
from lazo_client.models import (
    CommentInput,
    ContactInput,
    CreateTicket,
    LoginRequest,
    Priority,
    Problem,
    StatusCategory,
    Ticket,
    TicketCounts,
    TicketPage,
    UpdateTicket,
)

URL = os.environ["LAZO_URL"]
steps = []


def step(name, started):
    steps.append((name, time.monotonic() - started))
    print(f"  ok  {name} ({(time.monotonic() - started) * 1000:.0f} ms)")


def expect(cond, what):
    if not cond:
        print(f"FAIL {what}", file=sys.stderr)
        sys.exit(1)


def ok(response, status, model):
    expect(
        response.status_code == status,
        f"expected {status}, got {response.status_code}: {response.content[:500]!r}",
    )
    expect(isinstance(response.parsed, model), f"expected a {model.__name__}, got {response.parsed!r}")
    return response.parsed


def main():
    t = time.monotonic()
    # Login is public (`security: []`): a client without a token.
    r = login.sync_detailed(
        client=Client(base_url=URL, raise_on_unexpected_status=True),
        body=LoginRequest(email="admin@demo.lazo", password="lazo-demo-1"),
    )
    expect(r.status_code == HTTPStatus.OK, f"login: {r.status_code} {r.content!r}")
    api = AuthenticatedClient(base_url=URL, token=r.parsed.token, raise_on_unexpected_status=True)
    me = get_me.sync(client=api)
    expect(me.email == "admin@demo.lazo", f"me: {me!r}")
    step("login", t)

    # Create with an Idempotency-Key, then replay the same request.
    t = time.monotonic()
    key = f"journey-{uuid.uuid4()}"
    body = CreateTicket(
        subject="Parcel never arrived (Python client)",
        description="Ordered three weeks ago",
        priority=Priority.HIGH,
        tags=["python-client", "shipping"],
        requester=ContactInput(email="py.customer@example.com", name="Py Customer"),
        comment=CommentInput(body="Customer called about the parcel", internal=True),
    )
    r = create_ticket.sync_detailed(client=api, body=body, idempotency_key=key)
    ticket = ok(r, HTTPStatus.CREATED, Ticket)
    expect("Idempotent-Replayed" not in r.headers, "a fresh create is not a replay")
    etag = r.headers["ETag"]
    r = create_ticket.sync_detailed(client=api, body=body, idempotency_key=key)
    replay = ok(r, HTTPStatus.CREATED, Ticket)
    expect(r.headers.get("Idempotent-Replayed") == "true", "the replay says so")
    expect(replay.id == ticket.id, "the replay returns the first ticket")
    step("create + idempotent replay", t)

    # The follow-up list with filters (arrays of enums and ids), paged with a cursor.
    t = time.monotonic()
    seen = []
    cursor = None
    pages = 0
    while True:
        page = ok(
            list_tickets.sync_detailed(
                client=api,
                category=[StatusCategory.NEW, StatusCategory.OPEN],
                priority=[Priority.HIGH, Priority.CRITICAL],
                limit=5,
                **({"cursor": cursor} if cursor else {}),
            ),
            HTTPStatus.OK,
            TicketPage,
        )
        pages += 1
        seen += page.items
        cursor = page.next_cursor
        if not cursor:
            break
    expect(pages > 1, f"more than one page of 5 ({len(seen)} tickets)")
    expect(any(i.id == ticket.id for i in seen), "the new ticket is in the list")
    expect(all(i.priority in (Priority.HIGH, Priority.CRITICAL) for i in seen), "priority filter")
    expect(len({i.id for i in seen}) == len(seen), "no ticket twice across pages")
    mine = ok(
        list_tickets.sync_detailed(client=api, tags=["python-client"], status=[ticket.status.id]),
        HTTPStatus.OK,
        TicketPage,
    )
    expect([i.id for i in mine.items] == [ticket.id], f"tag + status filter: {mine.items!r}")
    step(f"list with filters ({pages} pages)", t)

    # Update with If-Match, then the stale version is refused with a typed 412.
    t = time.monotonic()
    r = update_ticket.sync_detailed(
        ticket.id, client=api, body=UpdateTicket(priority=Priority.CRITICAL), if_match=etag
    )
    updated = ok(r, HTTPStatus.OK, Ticket)
    expect(updated.priority == Priority.CRITICAL, "priority changed")
    expect(r.headers["ETag"] != etag, "a new version")
    r = update_ticket.sync_detailed(
        ticket.id, client=api, body=UpdateTicket(priority=Priority.LOW), if_match=etag
    )
    problem = ok(r, HTTPStatus.PRECONDITION_FAILED, Problem)
    expect(problem.status == 412 and problem.code == "stale", f"stale problem: {problem!r}")
    current = get_ticket.sync(ticket.id, client=api)
    expect(current.priority == Priority.CRITICAL, "the stale update changed nothing")
    step("update with If-Match, stale 412", t)

    # Comment, sub-ticket, history, counts.
    t = time.monotonic()
    ok(
        create_comment.sync_detailed(
            ticket.id, client=api, body=CommentInput(body="Refund on its way", internal=False)
        ),
        HTTPStatus.CREATED,
        object,
    )
    sub = ok(
        create_sub_ticket.sync_detailed(
            ticket.id, client=api, body=CreateTicket(subject="Ask the carrier for a trace")
        ),
        HTTPStatus.CREATED,
        Ticket,
    )
    subs = ok(list_sub_tickets.sync_detailed(ticket.id, client=api), HTTPStatus.OK, TicketPage)
    expect([s.id for s in subs.items] == [sub.id], "the sub-ticket is listed")
    history = list_ticket_history.sync(ticket.id, client=api)
    fields = [h.field for h in history.items]
    expect("created" in fields and "priority" in fields, f"history fields: {fields}")
    expect(all(h.actor.kind.value == "user" for h in history.items), "changes by a user")
    counts = ok(
        count_tickets.sync_detailed(client=api, priority=[Priority.CRITICAL]),
        HTTPStatus.OK,
        TicketCounts,
    )
    expect(counts.total >= 1, "counts see the critical ticket")
    expect(counts.total == sum(c.count for c in counts.by_status), "counts add up")
    step("comment, sub-ticket, history, counts", t)

    total = sum(s for _, s in steps)
    print(f"python journey: {len(steps)} steps in {total:.2f}s")


if __name__ == "__main__":
    main()
