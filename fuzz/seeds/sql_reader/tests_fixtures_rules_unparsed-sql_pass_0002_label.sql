-- migguard-ignore unparsed-sql: a security label changes no schema object
SECURITY LABEL ON TABLE users IS 'audited';
