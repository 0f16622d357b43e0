PRAGMA foreign_keys=OFF;
BEGIN TRANSACTION;
CREATE TABLE schema_version (version INTEGER NOT NULL);
INSERT INTO schema_version VALUES(3);
CREATE TABLE users (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL COLLATE NOCASE UNIQUE,
    role TEXT NOT NULL,
    password_hash TEXT NOT NULL,
    security_stamp TEXT NOT NULL,
    failed_count INTEGER NOT NULL DEFAULT 0,
    locked_until INTEGER NULL,
    created INTEGER NOT NULL
);
INSERT INTO users VALUES(1,'admin','Admin','AQAAAAIAAYagAAAAEMWJ4oYbUzT4rfBf+9CDGzFCIH1DH0+2dD079JhoGlNdqevCjYlAHgQczgx0tcs7QQ==','927970e6369f4d9b9f4539ef2a311d4a',0,NULL,1795838421614);
INSERT INTO users VALUES(2,'Olga','Operator','AQAAAAIAAYagAAAAENYyjdkDImhVSN11kzAmQNEyEtnLGtHv87p2+WcWd3WlKujEVMD1rP3oIlLOLb9drg==','25ec68df80424e65a9a78875624cb1ad',0,NULL,1795838423183);
INSERT INTO users VALUES(3,'vic','Viewer','AQAAAAIAAYagAAAAENZNakobieq7T+AwTbxyHe8W1oyTBy4/skO+IC21i5kUnwLkRSaPhjnJcPevMaueLQ==','007d773d8d114773bc1649e97fb5eec3',0,NULL,1795838424171);
CREATE TABLE credentials (
    id INTEGER PRIMARY KEY,
    kind TEXT NOT NULL,
    name TEXT NOT NULL COLLATE NOCASE,
    scope TEXT NULL,
    display_prefix TEXT NOT NULL,
    secret_hash BLOB NOT NULL UNIQUE,
    created INTEGER NOT NULL,
    created_by TEXT NOT NULL,
    expires INTEGER NULL,
    revoked INTEGER NULL,
    revoked_by TEXT NULL,
    UNIQUE (kind, name)
);
INSERT INTO credentials VALUES(1,'api-key','ci','mgmt','mqdk_IF7oOj',X'62d2f1a05bc751e2a9f9c40dafd0f6cac6a7cf60459c5dee1c198123181e569f',1795838425693,'admin',NULL,NULL,NULL);
INSERT INTO credentials VALUES(2,'api-key','reader','read','mqdk_2HgZ5x',X'be19b4c5831e0f67a07a847ce3df8917193bc5c1c2c18a7a54a4489ef9a3f420',1795838425707,'admin',NULL,NULL,NULL);
INSERT INTO credentials VALUES(3,'api-key','gone','mgmt','mqdk_G8pKQq',X'837e62968a5425e0c5156f0a12b385ba21458f48bac83f6413b5d9bed8c24730',1795838425709,'admin',NULL,1795838425717,'admin');
INSERT INTO credentials VALUES(4,'wall-token','lobby',NULL,'mqdw_3QMNka',X'fa618b6826c49b1c1773da43af547e8e3355f371eb2237b17eca9281e803557b',1795838425722,'admin',NULL,NULL,NULL);
CREATE TABLE audit (
    id INTEGER PRIMARY KEY,
    time INTEGER NOT NULL,
    actor TEXT NOT NULL,
    action TEXT NOT NULL,
    target TEXT NOT NULL,
    parameters TEXT NOT NULL,
    result TEXT NOT NULL
);
INSERT INTO audit VALUES(1,1795838422127,'system','user.add','admin','{"role":"Admin"}','Added');
INSERT INTO audit VALUES(2,1795838423184,'admin','user.add','Olga','{"role":"Operator"}','Added');
INSERT INTO audit VALUES(3,1795838424171,'admin','user.add','vic','{"role":"Viewer"}','Added');
INSERT INTO audit VALUES(4,1795838425071,'Olga','sign-in','Olga','{"address":"127.0.0.1"}','Success');
INSERT INTO audit VALUES(5,1795838425672,'vic','sign-in','vic','{"address":"127.0.0.1"}','Failed');
INSERT INTO audit VALUES(6,1795838425694,'admin','apikey.create','ci','{"scope":"mgmt","expires":null}','Created');
INSERT INTO audit VALUES(7,1795838425707,'admin','apikey.create','reader','{"scope":"read","expires":null}','Created');
INSERT INTO audit VALUES(8,1795838425710,'admin','apikey.create','gone','{"scope":"mgmt","expires":null}','Created');
INSERT INTO audit VALUES(9,1795838425717,'admin','apikey.revoke','gone','','Revoked');
INSERT INTO audit VALUES(10,1795838425722,'admin','walltoken.create','lobby','{"expires":null}','Created');
INSERT INTO audit VALUES(11,1795838425789,'admin','block.add','bad-client','{"id":1,"kind":"client_id","reason":"flooding","expires":null}','Blocked the client id bad-client with no expiry');
CREATE TABLE ended_sign_ins (
    id TEXT NOT NULL PRIMARY KEY,
    until INTEGER NOT NULL
);
INSERT INTO ended_sign_ins VALUES('0123456789abcdef0123456789abcdef',4102444800000);
CREATE TABLE client_blocks (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    kind TEXT NOT NULL,
    pattern TEXT NOT NULL,
    reason TEXT NOT NULL,
    expires INTEGER NULL,
    created INTEGER NOT NULL,
    created_by TEXT NOT NULL
);
INSERT INTO client_blocks VALUES(1,'client_id','bad-client','flooding',NULL,1795838425754,'admin');
DELETE FROM sqlite_sequence;
INSERT INTO sqlite_sequence VALUES('client_blocks',1);
CREATE INDEX audit_time ON audit (time);
CREATE INDEX audit_target ON audit (target, time);
CREATE INDEX audit_actor ON audit (actor, time);
COMMIT;
