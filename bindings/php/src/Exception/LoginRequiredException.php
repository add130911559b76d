<?php

declare(strict_types=1);

namespace Dinero\Exception;

/**
 * Visma Connect refused the refresh token (revoked, expired or already used; code
 * Status::LOGIN_REQUIRED): the user must sign in again (Client::connectAuthorizeUrl()). The
 * client does not ask Visma Connect again by itself.
 */
class LoginRequiredException extends AuthenticationException
{
}
