DROP TABLE audit_log;
DROP FUNCTION audit_log_refuses_change();
