// Type-checked by .ci/openapi-check.sh against the types openapi-typescript
// generates from openapi/openapi.json (imported as ./lazo): proves that what
// an integrator sends is settable and what they read is typed.
import type { components, operations } from "./lazo";

type Schemas = components["schemas"];

// A create-ticket body with custom fields of any JSON type.
const create: Schemas["CreateTicket"] = {
  subject: "Parcel never arrived",
  priority: "high",
  tags: ["shipping"],
  requester: { email: "customer@example.com", name: "A Customer" },
  custom_fields: { order_id: "A-1042", refund_amount: 12.5, vip: true },
  comment: { body: "Customer called", internal: true },
};

// Partial updates: custom_fields merge, null removes a field.
const update: Schemas["UpdateTicket"] = {
  status_id: 3,
  custom_fields: { order_id: null, vip: false },
};

// The follow-up list's filters are typed arrays of enums and ids.
const query: NonNullable<operations["listTickets"]["parameters"]["query"]> = {
  category: ["new", "open"],
  priority: ["high", "critical"],
  status: [1, 2],
  owner: ["me", "none"],
  sort: "due",
  order: "asc",
  limit: 20,
};

// Counts take the filters but not the paging.
type CountsQuery = NonNullable<operations["countTickets"]["parameters"]["query"]>;
// @ts-expect-error cursor is not a parameter of /tickets/counts
const counts: CountsQuery = { cursor: "x" };

// Read side: custom field values and the actor kind are typed.
function describe(t: Schemas["Ticket"], h: Schemas["HistoryEntry"]): string {
  const order = t.custom_fields["order_id"];
  const who: "user" | "token" | "system" = h.actor.kind;
  return `${t.subject} ${String(order)} by ${who}`;
}

// Error bodies are problem documents.
function code(p: Schemas["Problem"]): string {
  return `${p.status} ${p.code}`;
}

// The Idempotency-Key header is declared on createTicket.
const headers: NonNullable<operations["createTicket"]["parameters"]["header"]> = {
  "Idempotency-Key": "7f0c2a4e-create-1",
};

export { create, update, query, counts, describe, code, headers };
