"""Pure logic behind the pages: SLA rings, queue order and filters, local times, timelines."""
