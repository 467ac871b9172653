SECURITY LABEL ON TABLE users IS 'audited';
