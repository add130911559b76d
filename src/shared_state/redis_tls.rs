//! The TLS settings of a `rediss://` shared state: which certificate authorities sign the
//! server. With the `ca_file` option only the certificates in that file (as for the API); else
//! the system's (the same store redis-rs would use). Made once per client, when the option is
//! read, so a bad file is a configuration error and connecting again costs no file reads.

use crate::error::{Error, Result};
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::CertificateDer;
use rustls::{ClientConfig, RootCertStore};
use std::path::Path;
use std::sync::Arc;

pub fn client_config(ca_file: Option<&Path>) -> Result<Arc<ClientConfig>> {
    let mut roots = RootCertStore::empty();
    match ca_file {
        Some(path) => {
            let pem = crate::files::read_limited(path, crate::files::MAX_CA_FILE_BYTES)
                .map_err(|e| Error::invalid(format!("ca_file: {}", e.message())))?;
            let (added, _) = roots.add_parsable_certificates(
                CertificateDer::pem_slice_iter(&pem).filter_map(|cert| cert.ok()),
            );
            if added == 0 {
                return Err(Error::invalid(format!(
                    "ca_file: {} holds no readable certificate",
                    path.display()
                )));
            }
        }
        // A certificate that cannot be read is skipped: the ones that can still verify, and a
        // server none of them signed fails its handshake with a clear error.
        None => {
            roots.add_parsable_certificates(rustls_native_certs::load_native_certs().certs);
        }
    }
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let config = ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| Error::invalid(format!("TLS: {e}")))?
        .with_root_certificates(roots)
        .with_no_client_auth();
    Ok(Arc::new(config))
}
