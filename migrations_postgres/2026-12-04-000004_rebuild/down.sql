DROP FUNCTION newsdesk_rebuild_kept();
