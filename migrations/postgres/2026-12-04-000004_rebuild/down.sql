DROP FUNCTION newsdesk_reset_sequences();
DROP FUNCTION newsdesk_rebuild_kept();
