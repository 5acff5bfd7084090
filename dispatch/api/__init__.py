"""REST resources of dispatch: work orders with their actions and feedback, checklists, round drafts
filled line by line, submitted rounds, self-check notices and (for staff) complaints. Every write calls
a dispatch service; refused actions answer 409 (illegal transition), 403 (not yours to take) or 400."""
