// The extra questions of a problem type (Open311 attributes): one choice as radio buttons, several as checkboxes,
// a number as a number input, anything else as text. Answers go in the form under attributes.<code>.
import { Checkbox, Form, Input, InputNumber, Radio } from 'antd'
import { useTranslation } from 'react-i18next'
import type { Lang, ProblemAttribute } from '../../api/client'

export function AttributeFields({ attributes }: { attributes: ProblemAttribute[] }) {
  const { t, i18n } = useTranslation()
  const lang: Lang = i18n.language === 'en' ? 'en' : 'zh-CN'
  return (
    <>
      {attributes.map((attr) => {
        const options = (attr.values ?? []).map((v) => ({ value: v.key, label: v.name[lang] }))
        const rules = attr.required ? [{ required: true, message: t('validation.required') }] : []
        const common = { name: ['attributes', attr.code], label: attr.description[lang], rules, extra: attr.datatypeDescription?.[lang] }
        switch (attr.datatype) {
          case 'singlevaluelist':
            return (
              <Form.Item key={attr.code} {...common}>
                <Radio.Group optionType="button" buttonStyle="solid" size="large" className="xh-citizen-choices" options={options} data-testid={`citizen-attr-${attr.code}`} />
              </Form.Item>
            )
          case 'multivaluelist':
            return (
              <Form.Item key={attr.code} {...common}>
                <Checkbox.Group className="xh-citizen-checks" options={options} data-testid={`citizen-attr-${attr.code}`} />
              </Form.Item>
            )
          case 'number':
            return (
              <Form.Item key={attr.code} {...common}>
                <InputNumber size="large" min={0} max={1_000_000} style={{ width: '100%' }} inputMode="decimal" data-testid={`citizen-attr-${attr.code}`} />
              </Form.Item>
            )
          default:
            return (
              <Form.Item key={attr.code} {...common}>
                <Input size="large" maxLength={500} data-testid={`citizen-attr-${attr.code}`} />
              </Form.Item>
            )
        }
      })}
    </>
  )
}
