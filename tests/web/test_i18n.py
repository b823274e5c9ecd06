"""Chinese first, English on request, remembered for the following pages."""


def test_login_page_is_chinese_by_default(client):
    page = client.get("/login").get_data(as_text=True)
    assert 'lang="zh-CN"' in page
    assert "登录" in page


def test_english_is_chosen_by_query_and_remembered(client):
    page = client.get("/login?lang=en").get_data(as_text=True)
    assert 'lang="en"' in page and "Sign in" in page and "登录</h1>" not in page
    assert "Sign in" in client.get("/login").get_data(as_text=True)


def test_browser_preference_for_english_is_honoured(client):
    page = client.get("/login", headers={"Accept-Language": "en-US,en;q=0.9"})
    assert "Sign in" in page.get_data(as_text=True)


def test_indicator_names_are_translated(client, login_as):
    login_as("league_admin")
    page = client.get("/divisions/152200000000?lang=en").get_data(as_text=True)
    assert "Rural labour transferred" in page
    assert "Registered unemployment rate (%)" in page


def test_password_policy_messages_follow_the_language(client, login_as):
    login_as("league_admin")
    response = client.post("/password?lang=en", data={"current": "Field-app-2026",
                                                      "new": "short"})
    assert "at least 8 characters" in response.get_data(as_text=True)
