CREATE STREAM events (id INT KEY, kind STRING) WITH (KAFKA_TOPIC='events', VALUE_FORMAT='JSON');
CREATE STREAM pairs AS SELECT a.id AS id, a.kind AS first_kind, b.kind AS second_kind FROM events a JOIN events b WITHIN 1 MINUTE ON a.id = b.id WHERE a.kind = 'start' AND b.kind = 'stop' EMIT CHANGES;
