//! HTTPS for the sandbox: a throwaway certificate authority and a server certificate for
//! 127.0.0.1 / localhost / ::1, made at start, so clients can be tested against real TLS on
//! loopback (verified through the CA's PEM, refused without it).

use rcgen::{BasicConstraints, CertificateParams, CertifiedIssuer, DnType, IsCa, KeyPair};
use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};
use rustls::ServerConfig;
use std::io;
use std::sync::Arc;

/// The server side of TLS, plus the CA certificate clients must trust.
pub struct Tls {
    pub config: Arc<ServerConfig>,
    pub ca_pem: String,
}

fn tls_error(e: impl std::fmt::Display) -> io::Error {
    io::Error::other(format!("TLS setup failed: {e}"))
}

impl Tls {
    pub fn generate() -> io::Result<Tls> {
        let mut ca_params = CertificateParams::new(Vec::<String>::new()).map_err(tls_error)?;
        ca_params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        ca_params
            .distinguished_name
            .push(DnType::CommonName, "dinero-sandbox throwaway CA");
        let ca = CertifiedIssuer::self_signed(ca_params, KeyPair::generate().map_err(tls_error)?)
            .map_err(tls_error)?;

        let names = vec![
            "localhost".to_string(),
            "127.0.0.1".to_string(),
            "::1".to_string(),
        ];
        let mut leaf_params = CertificateParams::new(names).map_err(tls_error)?;
        leaf_params
            .distinguished_name
            .push(DnType::CommonName, "dinero-sandbox");
        let leaf_key = KeyPair::generate().map_err(tls_error)?;
        let leaf = leaf_params.signed_by(&leaf_key, &ca).map_err(tls_error)?;

        let chain = vec![leaf.der().clone(), CertificateDer::from(ca.der().to_vec())];
        let key = PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(leaf_key.serialize_der()));
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let config = ServerConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .map_err(tls_error)?
            .with_no_client_auth()
            .with_single_cert(chain, key)
            .map_err(tls_error)?;
        Ok(Tls {
            config: Arc::new(config),
            ca_pem: ca.pem(),
        })
    }
}
