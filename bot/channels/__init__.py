"""Edge adapters: each turns a wire format into Inbound and renders Outbound."""
