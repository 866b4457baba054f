-- Intake counts a web reporter's reports of the last hour by address (a flood is marked suspect for the acceptor).
CREATE INDEX citizen_reports_ip ON citizen_reports (ip, created_at) WHERE ip IS NOT NULL;
