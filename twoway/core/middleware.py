from django.conf import settings

# No inline scripts anywhere: every script is a static file, so the policy can forbid them.
CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; "
    "font-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'self'; "
    "form-action 'self'; object-src 'none'"
)


class SecurityHeadersMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        response.setdefault("Content-Security-Policy", getattr(settings, "TWOWAY_CSP", CSP))
        response.setdefault("Permissions-Policy", "camera=(self), geolocation=(self), microphone=()")
        return response
