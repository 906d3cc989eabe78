def test_the_home_page_speaks_chinese_and_fits_a_phone(client, db):
    html = client.get("/").content.decode()
    assert '<html lang="zh-Hans">' in html
    assert 'name="viewport"' in html
    assert "户籍业务一网通办" in html
    assert "htmx" in html and "https://" not in html.split("<body")[0]  # no CDN


def test_a_bound_applicant_is_greeted_with_a_masked_id(login, world):
    html = login(world.applicant).get("/").content.decode()
    assert "李同学" in html
    assert world.applicant_person.id_number_masked in html
    assert world.applicant_person.plain_id_number() not in html


def test_the_workbench_wants_a_login(client, db):
    response = client.get("/workbench/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_the_workbench_is_for_staff(login, world):
    assert login(world.applicant).get("/workbench/").status_code == 403
    assert login(world.outsider).get("/workbench/").status_code == 403
    assert login(world.clerk).get("/workbench/").status_code == 200


def test_the_back_office_is_in_chinese(login, world):
    world.sysadmin.is_staff = True
    world.sysadmin.is_superuser = True
    world.sysadmin.save()
    html = login(world.sysadmin).get("/admin/").content.decode()
    assert "通办 · 后台管理" in html
    assert "组织单位" in html


def test_the_stylesheet_is_found_by_collectstatic(db):
    from django.contrib.staticfiles import finders

    assert finders.find("tongban/site.css")


def test_a_missing_page_answers_in_chinese(client, db, settings):
    settings.DEBUG = False
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert "页面不存在" in response.content.decode()
