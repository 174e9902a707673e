-- upgrade_objects.sql: what the memcache extension installed in this
-- database consists of, one line per fact (sort the output). upgrade.sh
-- diffs it between a database upgraded step by step and a fresh install.
--
-- Objects: every member of the extension, and every user object in the
-- database, member or not (so a script that forgets ALTER EXTENSION ADD,
-- or leaves a helper behind, shows). Facts: definitions as PostgreSQL
-- prints them (pg_get_functiondef: signature, result, language, C symbol,
-- volatility, strictness, parallel safety, cost, SET options), owners,
-- ACLs, the privileges recorded as initial for pg_dump (pg_init_privs),
-- comments, columns, views, types, casts, operators, event triggers. A
-- member of a kind described nowhere below prints an "uncovered" line,
-- which upgrade.sh treats as a failure: extend this file then.
WITH ext AS (
  SELECT * FROM pg_extension WHERE extname = 'memcache'
), member AS (
  SELECT d.classid, d.objid, d.objsubid
  FROM pg_depend d JOIN ext ON d.refobjid = ext.oid
  WHERE d.refclassid = 'pg_extension'::regclass AND d.deptype = 'e'
), obj AS (
  SELECT classid, objid, objsubid FROM member
  UNION SELECT 'pg_proc'::regclass, oid, 0 FROM pg_proc WHERE oid >= 16384
  UNION SELECT 'pg_class'::regclass, oid, 0 FROM pg_class
        WHERE oid >= 16384 AND relkind NOT IN ('i', 'I', 't')  -- indexes: with their table
  UNION SELECT 'pg_type'::regclass, t.oid, 0 FROM pg_type t
        WHERE t.oid >= 16384 AND t.typtype <> 'm'
          AND NOT EXISTS (SELECT FROM pg_type e WHERE e.typarray = t.oid)      -- implicit array types
          AND (t.typrelid = 0 OR (SELECT relkind FROM pg_class WHERE oid = t.typrelid) = 'c')
  UNION SELECT 'pg_event_trigger'::regclass, oid, 0 FROM pg_event_trigger
  UNION SELECT 'pg_cast'::regclass, oid, 0 FROM pg_cast WHERE oid >= 16384
  UNION SELECT 'pg_operator'::regclass, oid, 0 FROM pg_operator WHERE oid >= 16384
  UNION SELECT 'pg_namespace'::regclass, oid, 0 FROM pg_namespace WHERE oid >= 16384
  UNION SELECT 'pg_opclass'::regclass, oid, 0 FROM pg_opclass WHERE oid >= 16384
  UNION SELECT 'pg_opfamily'::regclass, oid, 0 FROM pg_opfamily WHERE oid >= 16384
  UNION SELECT 'pg_collation'::regclass, oid, 0 FROM pg_collation WHERE oid >= 16384
  UNION SELECT 'pg_foreign_data_wrapper'::regclass, oid, 0 FROM pg_foreign_data_wrapper
  UNION SELECT 'pg_foreign_server'::regclass, oid, 0 FROM pg_foreign_server
  UNION SELECT 'pg_language'::regclass, oid, 0 FROM pg_language WHERE oid >= 16384
  UNION SELECT 'pg_ts_config'::regclass, oid, 0 FROM pg_ts_config WHERE oid >= 16384
  UNION SELECT 'pg_ts_dict'::regclass, oid, 0 FROM pg_ts_dict WHERE oid >= 16384
), named AS (
  SELECT o.*, i.type, i.identity,
         EXISTS (SELECT FROM member m WHERE (m.classid, m.objid, m.objsubid) = (o.classid, o.objid, o.objsubid)) AS is_member
  FROM obj o, pg_identify_object(o.classid, o.objid, o.objsubid) i
)
-- every object, and whether it belongs to the extension
SELECT format('%s %s%s', type, identity, CASE WHEN is_member THEN '' ELSE ' (NOT A MEMBER of the extension)' END)
FROM named
-- members of a kind this file does not describe
UNION ALL
SELECT format('uncovered: %s %s (add its kind to upgrade_objects.sql)', type, identity)
FROM named
WHERE is_member AND classid NOT IN ('pg_proc'::regclass, 'pg_class'::regclass, 'pg_type'::regclass,
  'pg_event_trigger'::regclass, 'pg_cast'::regclass, 'pg_operator'::regclass, 'pg_namespace'::regclass)
-- the extension itself
UNION ALL
SELECT format('extension %s version %s relocatable %s schema %s config %s condition %s',
  extname, extversion, extrelocatable, extnamespace::regnamespace,
  (SELECT array_agg(c::regclass::text ORDER BY c::regclass::text) FROM unnest(extconfig) c), extcondition)
FROM ext
-- functions, procedures: the whole definition, owner, ACL
UNION ALL
SELECT format('%s %s: %s', n.type, n.identity,
  CASE WHEN p.prokind = 'a' THEN
    (SELECT format('aggregate kind %s transfn %s finalfn %s combinefn %s stype %s initval %s sortop %s',
       a.aggkind, a.aggtransfn::regprocedure, a.aggfinalfn, a.aggcombinefn, a.aggtranstype::regtype,
       a.agginitval, a.aggsortop::regoperator)
     FROM pg_aggregate a WHERE a.aggfnoid = p.oid)
  ELSE regexp_replace(pg_get_functiondef(p.oid), '\s+', ' ', 'g') END)
FROM named n JOIN pg_proc p ON n.classid = 'pg_proc'::regclass AND p.oid = n.objid
UNION ALL
SELECT format('%s %s: owner %s acl %s', n.type, n.identity, pg_get_userbyid(p.proowner), p.proacl)
FROM named n JOIN pg_proc p ON n.classid = 'pg_proc'::regclass AND p.oid = n.objid
-- tables, views, sequences, composite types' relations: kind, owner, ACL, options, view text
UNION ALL
SELECT format('%s %s: kind %s persistence %s owner %s acl %s options %s%s', n.type, n.identity,
  c.relkind, c.relpersistence, pg_get_userbyid(c.relowner), c.relacl, c.reloptions,
  CASE WHEN c.relkind IN ('v', 'm') THEN ' view ' || regexp_replace(pg_get_viewdef(c.oid), '\s+', ' ', 'g') ELSE '' END)
FROM named n JOIN pg_class c ON n.classid = 'pg_class'::regclass AND c.oid = n.objid
-- their columns (and those of composite types)
UNION ALL
SELECT format('column %s.%s: %s collation %s not null %s default %s identity %s generated %s acl %s',
  c.oid::regclass, a.attname, format_type(a.atttypid, a.atttypmod), a.attcollation::regcollation,
  a.attnotnull, pg_get_expr(d.adbin, d.adrelid), a.attidentity, a.attgenerated, a.attacl)
FROM named n
JOIN pg_class c ON c.oid = CASE n.classid WHEN 'pg_class'::regclass THEN n.objid
                                          WHEN 'pg_type'::regclass THEN (SELECT typrelid FROM pg_type WHERE oid = n.objid) END
JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
-- indexes, constraints, triggers, rules, policies of those relations
UNION ALL
SELECT format('index on %s: %s', i.indrelid::regclass, pg_get_indexdef(i.indexrelid))
FROM named n JOIN pg_index i ON n.classid = 'pg_class'::regclass AND i.indrelid = n.objid
UNION ALL
SELECT format('constraint %s on %s: %s', co.conname, coalesce(co.conrelid::regclass::text, co.contypid::regtype::text),
  pg_get_constraintdef(co.oid))
FROM named n JOIN pg_constraint co
  ON (n.classid = 'pg_class'::regclass AND co.conrelid = n.objid) OR (n.classid = 'pg_type'::regclass AND co.contypid = n.objid)
UNION ALL
SELECT format('trigger %s on %s: %s', t.tgname, t.tgrelid::regclass, pg_get_triggerdef(t.oid))
FROM named n JOIN pg_trigger t ON n.classid = 'pg_class'::regclass AND t.tgrelid = n.objid AND NOT t.tgisinternal
UNION ALL
SELECT format('rule %s on %s: %s', r.rulename, r.ev_class::regclass, regexp_replace(pg_get_ruledef(r.oid), '\s+', ' ', 'g'))
FROM named n JOIN pg_rewrite r ON n.classid = 'pg_class'::regclass AND r.ev_class = n.objid AND r.rulename <> '_RETURN'
UNION ALL
SELECT format('policy %s on %s: cmd %s permissive %s roles %s using %s check %s', p.polname, p.polrelid::regclass,
  p.polcmd, p.polpermissive, p.polroles::regrole[], pg_get_expr(p.polqual, p.polrelid), pg_get_expr(p.polwithcheck, p.polrelid))
FROM named n JOIN pg_policy p ON n.classid = 'pg_class'::regclass AND p.polrelid = n.objid
UNION ALL
SELECT format('sequence %s: %s start %s increment %s min %s max %s cache %s cycle %s', s.seqrelid::regclass,
  s.seqtypid::regtype, s.seqstart, s.seqincrement, s.seqmin, s.seqmax, s.seqcache, s.seqcycle)
FROM named n JOIN pg_sequence s ON n.classid = 'pg_class'::regclass AND s.seqrelid = n.objid
-- types: kind, representation, I/O functions, default, domain base, enum labels, range subtype
UNION ALL
SELECT format('%s %s: typtype %s len %s byval %s align %s storage %s category %s in %s out %s recv %s send %s default %s base %s notnull %s owner %s acl %s%s%s',
  n.type, n.identity, t.typtype, t.typlen, t.typbyval, t.typalign, t.typstorage, t.typcategory,
  t.typinput, t.typoutput, t.typreceive, t.typsend, t.typdefault,
  CASE WHEN t.typbasetype <> 0 THEN format_type(t.typbasetype, t.typtypmod) END, t.typnotnull,
  pg_get_userbyid(t.typowner), t.typacl,
  (SELECT ' labels ' || string_agg(enumlabel, ',' ORDER BY enumsortorder) FROM pg_enum WHERE enumtypid = t.oid),
  (SELECT ' range of ' || rngsubtype::regtype FROM pg_range WHERE rngtypid = t.oid))
FROM named n JOIN pg_type t ON n.classid = 'pg_type'::regclass AND t.oid = n.objid
-- event triggers
UNION ALL
SELECT format('%s %s: on %s execute %s enabled %s tags %s owner %s', n.type, n.identity, e.evtevent,
  e.evtfoid::regprocedure, e.evtenabled, e.evttags, pg_get_userbyid(e.evtowner))
FROM named n JOIN pg_event_trigger e ON n.classid = 'pg_event_trigger'::regclass AND e.oid = n.objid
-- casts, operators, schemas
UNION ALL
SELECT format('%s %s: function %s context %s method %s', n.type, n.identity,
  CASE WHEN c.castfunc <> 0 THEN c.castfunc::regprocedure::text END, c.castcontext, c.castmethod)
FROM named n JOIN pg_cast c ON n.classid = 'pg_cast'::regclass AND c.oid = n.objid
UNION ALL
SELECT format('%s %s: code %s kind %s result %s commutator %s negator %s restrict %s join %s merges %s hashes %s owner %s',
  n.type, n.identity, o.oprcode, o.oprkind, o.oprresult::regtype, o.oprcom::regoperator, o.oprnegate::regoperator,
  o.oprrest, o.oprjoin, o.oprcanmerge, o.oprcanhash, pg_get_userbyid(o.oprowner))
FROM named n JOIN pg_operator o ON n.classid = 'pg_operator'::regclass AND o.oid = n.objid
UNION ALL
SELECT format('%s %s: owner %s acl %s', n.type, n.identity, pg_get_userbyid(s.nspowner), s.nspacl)
FROM named n JOIN pg_namespace s ON n.classid = 'pg_namespace'::regclass AND s.oid = n.objid
-- comments (of objects and their columns), security labels
UNION ALL
SELECT format('comment on %s: %s',
  pg_describe_object(d.classoid, d.objoid, d.objsubid), d.description)
FROM named n JOIN pg_description d ON d.classoid = n.classid AND d.objoid = n.objid
UNION ALL
SELECT format('security label %s on %s: %s', l.provider, pg_describe_object(l.classoid, l.objoid, l.objsubid), l.label)
FROM named n JOIN pg_seclabel l ON l.classoid = n.classid AND l.objoid = n.objid
-- the privileges pg_dump takes as the extension's own (set by its scripts)
UNION ALL
SELECT format('initial privileges of %s (%s): %s', pg_describe_object(ip.classoid, ip.objoid, ip.objsubid),
  ip.privtype, ip.initprivs)
FROM named n JOIN pg_init_privs ip ON ip.classoid = n.classid AND ip.objoid = n.objid;
