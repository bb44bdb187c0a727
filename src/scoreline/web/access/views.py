"""Signing in and out with a Django session."""

from __future__ import annotations

from django.contrib.auth import views as auth_views

from scoreline.access.forms import ThrottledAuthenticationForm

__all__ = ["login_view", "logout_view"]

login_view = auth_views.LoginView.as_view(
    authentication_form=ThrottledAuthenticationForm,
    template_name="registration/login.html",
    redirect_authenticated_user=True,
)
# Signing out changes state, so it only answers POST (Django refuses GET).
logout_view = auth_views.LogoutView.as_view()
